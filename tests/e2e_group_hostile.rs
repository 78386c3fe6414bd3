//! End to end: hostile group calls get clear codes and leave the connection
//! open; nobody manages or reads a group they are not in; list answers are
//! bounded and paged to the client's frame.

mod common;

use common::*;
use tinyim_core::wire::group::{
    CreateGroup, GroupRecord, GroupRef, GroupRole, GroupType, HandleApplication, ListPage,
    MemberChange, SetMemberRole, UserList,
};
use tinyim_core::wire::records::Records;
use tinyim_core::wire::{body, code, kind};

fn create<'a>(group_id: &'a str, name: &'a str, members: &'a str) -> CreateGroup<'a> {
    CreateGroup {
        group_id,
        members: UserList(members),
        ..CreateGroup::new(GroupType::Work, name)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_group_calls_get_codes_and_the_connection_stays_open() {
    let (server, _dir) = fresh_server();
    let mut raw = RawConn::connect(&server.addr);
    raw.hello();
    assert_eq!(
        raw.request(kind::CREATE_GROUP, 2, &create("g", "n", "")),
        Err(code::NOT_LOGGED_IN)
    );
    raw.login("mallory");

    // A malformed body for every group call, and kinds no server knows.
    let receipts = kind::SEND_READ_RECEIPTS..=kind::READ_RECEIPT_MEMBERS;
    for (i, k) in (kind::CREATE_GROUP..=kind::CUSTOM_NOTICE)
        .chain(receipts)
        .enumerate()
    {
        assert_eq!(
            raw.request(k, 100 + i as u32, &(7u8, 0xffu8)),
            Err(code::BAD_REQUEST),
            "kind {k:#x}"
        );
    }
    assert_eq!(
        raw.request(kind::READ_RECEIPT_MEMBERS + 1, 3, &()),
        Err(code::UNSUPPORTED),
        "the first request kind after the group calls no server knows"
    );

    let long_name = "n".repeat(31);
    let long_id = "g".repeat(49);
    let too_many: String = (0..501).map(|i| format!("u{i},")).collect();
    let cases = [
        (create("g1", &long_name, ""), code::INVALID_PARAMETER),
        (create("g1", "", ""), code::INVALID_PARAMETER),
        (create("@TGS#taken", "n", ""), code::INVALID_GROUP_ID),
        (create("has space", "n", ""), code::INVALID_GROUP_ID),
        (create(&long_id, "n", ""), code::INVALID_GROUP_ID),
        (create("g1", "n", &too_many), code::INVALID_PARAMETER),
        (create("g1", "n", "ok,not|valid"), code::INVALID_PARAMETER),
        (
            CreateGroup {
                max_members: 7000,
                ..create("g1", "n", "")
            },
            code::INVALID_PARAMETER,
        ),
        (
            CreateGroup {
                group_type: GroupType::AvChatRoom,
                ..create("g1", "n", "bob")
            },
            code::INVALID_PARAMETER,
        ),
    ];
    for (i, (request, want)) in cases.iter().enumerate() {
        assert_eq!(
            raw.request(kind::CREATE_GROUP, 200 + i as u32, request),
            Err(*want),
            "case {i}"
        );
    }
    let missing = GroupRef {
        group_id: "no-such-group",
    };
    assert_eq!(
        raw.request(kind::GROUP_PROFILE, 4, &missing),
        Err(code::GROUP_NOT_FOUND)
    );
    assert_eq!(
        raw.request(kind::JOIN_GROUP, 5, &(missing.group_id, "")),
        Err(code::GROUP_NOT_FOUND)
    );

    // Still open and serving.
    raw.request(kind::CREATE_GROUP, 6, &create("g-ok", "fine", ""))
        .expect("a valid call after all that");
}

#[tokio::test(flavor = "multi_thread")]
async fn nobody_manages_or_reads_a_group_they_are_not_in() {
    let (server, _dir) = fresh_server();
    let mut victim = RawConn::logged_in(&server.addr, "victim");
    victim
        .request(
            kind::CREATE_GROUP,
            2,
            &create("g-victim", "private", "friend"),
        )
        .unwrap();
    let mut mallory = RawConn::logged_in(&server.addr, "mallory");
    let g = "g-victim";
    let refused = [
        mallory.request(kind::DISMISS_GROUP, 2, &GroupRef { group_id: g }),
        mallory.request(
            kind::DELETE_MEMBERS,
            3,
            &MemberChange {
                group_id: g,
                users: UserList("friend"),
                reason: "",
            },
        ),
        mallory.request(
            kind::SET_MEMBER_ROLE,
            4,
            &SetMemberRole {
                group_id: g,
                user_id: "friend",
                role: GroupRole::Admin,
            },
        ),
        mallory.request(
            kind::HANDLE_APPLICATION,
            5,
            &HandleApplication {
                group_id: g,
                applicant: "mallory",
                agree: true,
                message: "",
            },
        ),
        mallory.request(
            kind::MEMBER_LIST,
            6,
            &ListPage {
                group_id: g,
                offset: 0,
                count: 10,
            },
        ),
        mallory.request(kind::GROUP_PROFILE, 7, &GroupRef { group_id: g }),
        mallory.request(
            kind::MESSAGE_RANGE,
            8,
            &body::MessageRange {
                conversation: "GROUPg-victim",
                start: body::RangeStart::AfterSeq(0),
                count: 10,
            },
        ),
        mallory.request(
            kind::MESSAGE_LIST,
            9,
            &body::MessageList {
                conversation: "GROUPg-victim",
                before_seq: 0,
                count: 10,
            },
        ),
        mallory.request(
            kind::SET_READ,
            10,
            &body::SetRead {
                conversation: "GROUPg-victim",
                seq: u64::MAX,
            },
        ),
        mallory.request(
            kind::SEND_MESSAGE,
            11,
            &body::SendMessage {
                conversation: "GROUPg-victim",
                client_msg_id: 1,
                online_only: false,
                priority: Default::default(),
                elem: body::Elem::Text { text: "let me in" },
                extra: body::MessageExtra::default(),
            },
        ),
    ];
    for (i, result) in refused.into_iter().enumerate() {
        assert_eq!(result, Err(code::NO_PERMISSION), "call {i}");
    }
    // Mallory's own join attempt is refused too (Work groups are invite only).
    assert_eq!(
        mallory.request(kind::JOIN_GROUP, 12, &("g-victim", "")),
        Err(code::NO_PERMISSION)
    );
}

/// The member ids of one member list answer, and its closing page record.
fn member_page(payload: &[u8]) -> (Vec<String>, (u32, bool)) {
    let mut users = Vec::new();
    let mut page = None;
    for record in Records::<GroupRecord<'_>>::new(payload) {
        match record.unwrap() {
            GroupRecord::Member(m) => users.push(m.user_id.to_owned()),
            GroupRecord::Page { next_offset, more } => page = Some((next_offset, more)),
            other => panic!("unexpected record {other:?}"),
        }
    }
    (users, page.expect("a page ends with its page record"))
}

#[tokio::test(flavor = "multi_thread")]
async fn member_lists_are_bounded_and_paged_to_the_clients_frame() {
    let (server, _dir) = fresh_server();
    let mut owner = RawConn::logged_in(&server.addr, "owner");
    let members: Vec<String> = (0..150).map(|i| format!("member{i:03}")).collect();
    owner
        .request(
            kind::CREATE_GROUP,
            2,
            &create("g-big", "big", &members.join(",")),
        )
        .unwrap();

    // A count over 100 is clamped.
    let all = owner
        .request(
            kind::MEMBER_LIST,
            3,
            &ListPage {
                group_id: "g-big",
                offset: 0,
                count: u16::MAX,
            },
        )
        .unwrap();
    let (users, (next, more)) = member_page(&all);
    assert_eq!((users.len(), next, more), (100, 100, true));

    // A device with 512-byte frames walks the list in small pages.
    let mut small = RawConn::connect(&server.addr);
    small.hello_with(512);
    small.login("member000");
    let mut seen = Vec::new();
    let mut offset = 0;
    for request in 10.. {
        let payload = small
            .request(
                kind::MEMBER_LIST,
                request,
                &ListPage {
                    group_id: "g-big",
                    offset,
                    count: 100,
                },
            )
            .unwrap();
        assert!(payload.len() + 4 + 5 <= 512, "an answer fits the frame");
        let (users, (next, more)) = member_page(&payload);
        assert_eq!(next as usize, seen.len() + users.len());
        assert!(!users.is_empty());
        seen.extend(users);
        offset = next;
        if !more {
            break;
        }
    }
    let mut want: Vec<String> = members;
    want.insert(0, "owner".into());
    assert_eq!(
        seen, want,
        "every member once, owner first, then by join order"
    );
}
