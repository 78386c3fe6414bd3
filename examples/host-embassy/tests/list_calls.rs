//! The embassy handle's list calls (members, applications, group and user
//! profiles, the blocklist): each record reaches the visitor in the calling
//! task, pages end where the server says, a record too large for the call
//! slot fails the call without stopping the device, and a call dropped in
//! the middle of its answer leaves the runner working. The device runs the
//! embassy adapter over tokio TCP on 127.0.0.1 against the real server with a
//! real SQLite file.

mod common;

use common::{sig, start_server, with_device};
use tinyim_core::wire::group::CreateGroup;
use tinyim_core::wire::user::ProfileUpdate;
use tinyim_core::{CommandError, GroupRecord, GroupRole, GroupType, JoinOption, JoinStatus};
use tinyim_embassy::{HandleError, PageEnd};
use tinyim_tokio::{MyProfileUpdate, Options, Tim};

async fn peer(addr: &str, user: &str) -> Tim {
    let (tim, _events) = Tim::connect(addr.to_owned(), Options::default());
    tim.login(user, &sig(user)).await.unwrap();
    tim
}

#[tokio::test(flavor = "current_thread")]
async fn device_lists_members_applications_and_group_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 21, async |device, _events| {
        device.login("dev-7", &sig("dev-7")).await.unwrap();
        let mut options = CreateGroup::new(GroupType::Public, "lists");
        options.group_id = "g-l";
        options.join_option = JoinOption::NeedPermission;
        device.create_group(&options).await.unwrap();
        device
            .add_group_member("g-l", &["alice", "bob", "carol"])
            .await
            .unwrap();
        device
            .set_group_member_name_card("g-l", "carol", "C")
            .await
            .unwrap();

        // Two pages of two.
        let mut members = Vec::new();
        let first = device
            .group_member_list("g-l", 0, 2, |m| members.push(m.user_id.to_owned()))
            .await
            .unwrap();
        assert_eq!((members.len(), first.more), (2, true));
        let second = device
            .group_member_list("g-l", first.next_offset, 2, |m| {
                members.push(m.user_id.to_owned())
            })
            .await
            .unwrap();
        assert!(!second.more);
        members.sort();
        assert_eq!(members, ["alice", "bob", "carol", "dev-7"]);

        let mut named = Vec::new();
        device
            .group_member_profile("g-l", &["carol", "dev-7"], |m| {
                named.push((m.user_id.to_owned(), m.role, m.name_card.to_owned()))
            })
            .await
            .unwrap();
        named.sort();
        assert_eq!(
            named,
            [
                ("carol".to_owned(), GroupRole::Member, "C".to_owned()),
                ("dev-7".to_owned(), GroupRole::Owner, String::new()),
            ]
        );

        for search in [false, true] {
            let mut profile = None;
            let visit = |r: &GroupRecord<'_>| {
                if let GroupRecord::Profile(p) = r {
                    profile = Some((p.name.to_owned(), p.owner.to_owned(), p.member_count));
                }
            };
            if search {
                device.search_group_by_id("g-l", visit).await.unwrap();
            } else {
                device.group_profile("g-l", visit).await.unwrap();
            }
            assert_eq!(profile, Some(("lists".to_owned(), "dev-7".to_owned(), 4)));
        }

        let dave = peer(&addr, "dave").await;
        assert_eq!(
            dave.join_group("g-l", "please").await.unwrap(),
            JoinStatus::WaitApproval
        );
        let mut applications = Vec::new();
        let end = device
            .group_application_list(0, 10, |a| {
                applications.push((
                    a.group_id.to_owned(),
                    a.applicant.to_owned(),
                    a.message.to_owned(),
                ))
            })
            .await
            .unwrap();
        assert_eq!(
            applications,
            [("g-l".to_owned(), "dave".to_owned(), "please".to_owned())]
        );
        assert!(!end.more);
        assert_eq!(
            device
                .group_member_list("no-such", 0, 10, |_| panic!("no members"))
                .await,
            Err(HandleError::Request(tinyim_core::RequestError::Server(
                tinyim_core::wire::code::GROUP_NOT_FOUND
            )))
        );
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn device_reads_profiles_and_pages_its_blocklist() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 22, async |device, _events| {
        device.login("dev-8", &sig("dev-8")).await.unwrap();
        device.add_to_blocklist(&["u1", "u2", "u3"]).await.unwrap();
        let mut blocked = Vec::new();
        let first = device
            .blocklist(0, 2, |u| blocked.push(u.to_owned()))
            .await
            .unwrap();
        assert_eq!(
            first,
            PageEnd {
                next_offset: 2,
                more: true
            }
        );
        let second = device
            .blocklist(first.next_offset, 2, |u| blocked.push(u.to_owned()))
            .await
            .unwrap();
        assert!(!second.more);
        assert_eq!(blocked, ["u1", "u2", "u3"], "in the order of adding");

        let update = ProfileUpdate {
            nick: Some("Eight"),
            ..ProfileUpdate::default()
        };
        device.update_my_profile(&update).await.unwrap();
        let mut mine = None;
        device
            .my_profile(|p| mine = Some((p.user_id.to_owned(), p.nick.to_owned())))
            .await
            .unwrap();
        assert_eq!(mine, Some(("dev-8".to_owned(), "Eight".to_owned())));

        // A profile larger than the call slot fails the call, and the
        // device goes on working.
        let alice = peer(&addr, "alice").await;
        let long = "a".repeat(500);
        alice
            .update_my_profile(MyProfileUpdate {
                nick: Some(long.clone()),
                self_signature: Some(long.clone()),
                ..MyProfileUpdate::default()
            })
            .await
            .unwrap();
        let mut seen = 0;
        assert_eq!(
            device.user_profile(&["alice"], |_| seen += 1).await,
            Err(HandleError::TooLong)
        );
        assert_eq!(seen, 0);
        let mut found = Vec::new();
        let end = device
            .user_profile(&["dev-8", "bob"], |p| found.push(p.user_id.to_owned()))
            .await
            .unwrap();
        assert_eq!(
            (found, end.more),
            (vec!["dev-8".to_owned(), "bob".to_owned()], false)
        );
        assert_eq!(
            device.user_profile(&["a,b"], |_| {}).await,
            Err(HandleError::Command(CommandError::InvalidUserId))
        );
    })
    .await;
}

#[tokio::test(flavor = "current_thread")]
async fn a_list_call_dropped_mid_answer_leaves_the_device_working() {
    let dir = tempfile::tempdir().unwrap();
    let addr = start_server(dir.path()).await;
    with_device(&addr, 23, async |device, _events| {
        device.login("dev-9", &sig("dev-9")).await.unwrap();
        let users = ["b1", "b2", "b3", "b4", "b5"];
        device.add_to_blocklist(&users).await.unwrap();

        // Give up on the call once its first record arrived: the runner is
        // then handing over (or about to hand over) the second.
        let first_record = tokio::sync::Notify::new();
        tokio::select! {
            _ = device.blocklist(0, 10, |_| first_record.notify_one()) => {
                panic!("the call was to be dropped before it ended")
            }
            () = first_record.notified() => {}
        }

        // The next calls are answered, whole.
        assert_eq!(device.total_unread().await, Ok(0));
        let mut blocked = Vec::new();
        device
            .blocklist(0, 10, |u| blocked.push(u.to_owned()))
            .await
            .unwrap();
        assert_eq!(blocked, users);
    })
    .await;
}
