//! End to end in a real browser: headless Chromium loads tinyim's
//! WebAssembly client with TIM's JavaScript API from the server's own HTTP
//! listener and talks to the real server binary over its WebSocket at
//! `/ws`: one-to-one and group chat between two browsers, read state,
//! history, profiles, the blocklist, a refusal, reconnect and resync after
//! the server is killed and restarted, a reload that resumes from the
//! sync state kept in `localStorage`; images, files and videos through the
//! upload service, forwarded and merged messages; friends from the
//! friendship build (and 2998 from the plain one); and the example page
//! driven as a person would, with a screenshot kept in `target/artifacts`.

mod browser;
mod common;

use browser::{
    alice_and_bob, install, install_bundle, login, open_and_login, run, web_server, Setup,
    FRIENDSHIP, RECORD_CLIP,
};
use common::*;
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_browsers_chat_in_c2c_and_a_group_through_tims_api() {
    let (mut setup, alice, bob) = alice_and_bob().await;

    // A one-to-one text: the sender's message object turns `success` with
    // its sequence; the receiver gets it as TIM shapes it.
    let sent = run(
        &alice,
        "const m = tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C,
                                           payload: { text: 'hello from a browser' } });
         const answer = await tim.sendMessage(m);
         return [answer.code, m.status, m.sequence, answer.data.message === m && tim.findMessage(m.ID) === m];",
    )
    .await;
    assert_eq!(sent, json!([0, "success", 1, true]));
    let got = run(
        &bob,
        "const m = await until(() => got.find((m) => m.payload.text === 'hello from a browser'));
         return [m.type, m.from, m.to, m.flow, m.conversationID, m.conversationType, m.sequence];",
    )
    .await;
    assert_eq!(
        got,
        json!(["TIMTextElem", "alice", "bob", "in", "C2Calice", "C2C", 1])
    );
    // Both pages find the message by its ID; an unknown ID finds nothing.
    let found = run(
        &bob,
        "const m = got.find((m) => m.payload.text === 'hello from a browser');
         return [tim.findMessage(m.ID) === m, tim.findMessage('12345')];",
    )
    .await;
    assert_eq!(found, json!([true, null]));

    // Unread until read, then history.
    let unread = run(
        &bob,
        "const c = await until(async () => {
           const list = (await tim.getConversationList()).data.conversationList;
           return list.find((c) => c.conversationID === 'C2Calice' && c.unreadCount === 1);
         });
         await tim.setMessageRead({ conversationID: 'C2Calice' });
         const after = (await tim.getConversationProfile('C2Calice')).data.conversation;
         const page = (await tim.getMessageList({ conversationID: 'C2Calice' })).data;
         return [c.lastMessage.messageForShow, after.unreadCount,
                 page.messageList.map((m) => m.payload.text), page.isCompleted];",
    )
    .await;
    assert_eq!(
        unread,
        json!(["hello from a browser", 0, ["hello from a browser"], true])
    );

    // A public group: created in one browser, joined in the other, a
    // message across, the member list and the group list.
    let group = run(
        &alice,
        "const answer = await tim.createGroup({ type: TIM.TYPES.GRP_PUBLIC, name: 'web group',
                                                joinOption: TIM.TYPES.JOIN_OPTIONS_FREE_ACCESS });
         return answer.data.group.groupID;",
    )
    .await;
    let group = group.as_str().unwrap().to_owned();
    let joined = run(
        &bob,
        &format!(
            "const answer = await tim.joinGroup({{ groupID: '{group}' }});
             const groups = (await tim.getGroupList()).data.groupList;
             return [answer.data.status, groups.some((g) => g.groupID === '{group}')];"
        ),
    )
    .await;
    assert_eq!(joined, json!(["JoinedSuccess", true]));
    let sent = run(
        &alice,
        &format!(
            "const m = tim.createTextMessage({{ to: '{group}', conversationType: TIM.TYPES.CONV_GROUP,
                                               payload: {{ text: 'hello group' }} }});
             return (await tim.sendMessage(m)).data.message.status;"
        ),
    )
    .await;
    assert_eq!(sent, json!("success"));
    let got = run(
        &bob,
        "const m = await until(() => got.find((m) => m.payload.text === 'hello group'));
         return [m.from, m.conversationType, m.to];",
    )
    .await;
    assert_eq!(got, json!(["alice", "GROUP", group]));
    let members = run(
        &alice,
        &format!(
            "const list = (await tim.getGroupMemberList({{ groupID: '{group}', count: 10 }})).data.memberList;
             return list.map((m) => m.userID + ':' + m.role).sort();"
        ),
    )
    .await;
    assert_eq!(members, json!(["alice:Owner", "bob:Member"]));

    // Profiles and the blocklist.
    let profile = run(
        &alice,
        "const named = (await tim.updateMyProfile({ nick: 'Alice' })).data;
         const custom = (await tim.updateMyProfile({
           profileCustomField: [{ key: 'Tag_Profile_Custom_city', value: 'Paris' }] })).data;
         const bad = await tim.updateMyProfile({ profileCustomField: [{ key: 'city', value: 'x' }] })
           .then(() => 0, (e) => e.code);
         return [named.nick, custom.nick, custom.profileCustomField, bad > 0];",
    )
    .await;
    assert_eq!(
        profile,
        json!([
            "Alice",
            "Alice",
            [{ "key": "Tag_Profile_Custom_city", "value": "Paris" }],
            true
        ])
    );
    let seen = run(
        &bob,
        "const [alice] = (await tim.getUserProfile({ userIDList: ['alice'] })).data;
         const me = (await tim.getMyProfile()).data;
         await tim.addToBlacklist({ userIDList: ['mallory'] });
         const blocked = (await tim.getBlacklist()).data;
         await tim.removeFromBlacklist({ userIDList: ['mallory'] });
         return [alice.nick, alice.profileCustomField, me.userID, me.profileCustomField, blocked,
                 (await tim.getBlacklist()).data];",
    )
    .await;
    assert_eq!(
        seen,
        json!([
            "Alice",
            [{ "key": "Tag_Profile_Custom_city", "value": "Paris" }],
            "bob",
            [],
            ["mallory"],
            []
        ])
    );

    // A refusal is TIM's error object, and the message is marked failed.
    let refused = run(
        &alice,
        "const m = tim.createTextMessage({ to: 'no such user!', conversationType: TIM.TYPES.CONV_C2C,
                                           payload: { text: 'x' } });
         try { await tim.sendMessage(m); return 'sent'; }
         catch (e) { return [e.code, m.status, e.data.message === m]; }",
    )
    .await;
    assert_eq!(refused, json!([2503, "fail", true]));

    // The server is killed and started again on the same addresses: both
    // pages reconnect and resync by themselves, a message sent while bob's
    // page was away reaches it, and sending works again.
    let http_port: u16 = setup.http.rsplit(':').next().unwrap().parse().unwrap();
    let data = setup.server.data.clone();
    setup.server.kill();
    setup.server = web_server(&data, &format!("127.0.0.1:{http_port}"));
    let (carol, _carol_events) = client(&setup.server.addr, "carol").await;
    carol
        .send_text("bob", "sent during the reconnect")
        .await
        .unwrap();
    let got = run(
        &bob,
        "const m = await until(() => got.find((m) => m.payload.text === 'sent during the reconnect'));
         await until(() => tim.isReady());
         return [m.from, events.includes('netStateChange')];",
    )
    .await;
    assert_eq!(got, json!(["carol", true]));
    let sent = run(
        &alice,
        "await until(() => tim.isReady());
         const m = tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C,
                                           payload: { text: 'after the restart' } });
         return (await tim.sendMessage(m)).data.message.sequence;",
    )
    .await;
    assert_eq!(sent, json!(2));

    // A reload resumes from the sync state in localStorage: the
    // conversations are known as the login starts, before the server has
    // answered anything (the list is asked in the same turn as the login).
    run(
        &bob,
        "await until(() => events.includes('syncComplete')); return 0;",
    )
    .await;
    bob.refresh().await.unwrap();
    install(&bob).await;
    let resumed = run(
        &bob,
        "const userSig = await genTestUserSig({ SDKAppID: tim.SDKAppID, secretKey: '__KEY__', userID: 'bob' });
         const login = tim.login({ userID: 'bob', userSig });
         const list = tim.getConversationList();
         await login;
         return (await list).data.conversationList.map((c) => c.conversationID).sort();"
            .replace("__KEY__", KEY)
            .as_str(),
    )
    .await;
    assert_eq!(
        resumed,
        json!(["C2Calice", "C2Ccarol", format!("GROUP{group}")])
    );
    // A browser that never logged in has nothing to resume.
    let fresh = setup.driver.browser().await;
    fresh
        .goto(&format!("http://{}/", setup.http))
        .await
        .unwrap();
    install(&fresh).await;
    login(&fresh, "dave").await;
    let list = run(
        &fresh,
        "return (await tim.getConversationList()).data.conversationList.length;",
    )
    .await;
    assert_eq!(list, json!(0));

    for page in [alice, bob, fresh] {
        page.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pages_bad_arguments_are_tims_error_codes_and_the_client_goes_on() {
    let Setup { http, driver, .. } = &Setup::start();
    let page = driver.browser().await;
    page.goto(&format!("http://{http}/")).await.unwrap();
    install(&page).await;
    // Before login: TIM's 2024 (not logged in).
    let early = run(
        &page,
        "try { await tim.getMyProfile(); return 'answered'; } catch (e) { return e.code; }",
    )
    .await;
    assert_eq!(early, json!(2024));
    login(&page, "alice").await;
    // Each call with what a careless or hostile page passes: the wrong
    // types, ids that are no ids, kinds it cannot send, oversized data.
    let codes = run(
        &page,
        "const code = (p) => p.then(() => 0, (e) => e.code);
         const big = 'x'.repeat(2000);
         return [
           await code(tim.sendMessage({})),
           await code(tim.sendMessage({ type: 'TIMImageElem', to: 'bob', conversationType: 'C2C', payload: {} })),
           await code(tim.sendMessage(tim.createTextMessage({ to: 'bob', conversationType: 'C2C',
                                                              payload: { text: 'hi' }, cloudCustomData: big }))),
           await code(tim.sendMessage(tim.createTextMessage({ to: 42, conversationType: 'C2C', payload: 7 }))),
           await code(tim.getMessageList({ conversationID: 'nonsense' })),
           await code(tim.joinGroup({ groupID: '' })),
           await code(tim.createGroup({ type: 'NoSuchType', name: 'x' })),
           await code(tim.getUserProfile({ userIDList: 'not a user id!' })),
           await code(tim.setMessageRead({ conversationID: null })),
           await code(tim.login({ userID: 'alice', userSig: 'again' })),
         ];",
    )
    .await;
    assert_eq!(
        codes,
        json!([10004, 10004, 80002, 2503, 2503, 10015, 10004, 70107, 2503, 2025])
    );
    // Still a working client.
    let sent = run(
        &page,
        "const m = tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text: 'fine' } });
         return (await tim.sendMessage(m)).data.message.status;",
    )
    .await;
    assert_eq!(sent, json!("success"));
    page.close().await.unwrap();

    // The web root serves its own files and nothing above it; the REST
    // API keeps its own paths.
    assert_eq!(http_get(http, "/usersig.js").0, 200);
    assert_ne!(http_get(http, "/../Cargo.toml").0, 200);
    assert_ne!(http_get(http, "/%2e%2e/Cargo.toml").0, 200);
    let (status, body) = http_get(http, "/v4/no/such");
    assert!(
        status != 200 || body.contains("ErrorCode"),
        "{status} {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_conversations_receipts_and_presence_from_pages() {
    let (_setup, alice, bob) = alice_and_bob().await;

    // Three messages; the first edited by alice, the second deleted by bob.
    run(
        &alice,
        "window.sent = [];
         for (const text of ['a', 'b', 'c']) {
           const m = tim.createTextMessage({ to: 'bob', conversationType: 'C2C', payload: { text } });
           await tim.sendMessage(m);
           sent.push(m);
         }
         sent[0].payload.text = 'A';
         await tim.modifyMessage(sent[0]);
         return 0;",
    )
    .await;
    let seen = run(
        &bob,
        "await until(() => got.length === 3);
         const edit = (await until(() => seen.find((e) => e.name === TIM.EVENT.MESSAGE_MODIFIED))).data[0];
         await tim.deleteMessage([got[1]]);
         const texts = async () => (await tim.getMessageList({ conversationID: 'C2Calice' })).data.messageList
           .map((m) => m.payload.text);
         const hop = (await tim.getMessageListHopping({ conversationID: 'C2Calice', sequence: 1, direction: 1 }))
           .data.messageList.map((m) => m.sequence);
         return [edit.payload.text, edit.version, await texts(), hop];",
    )
    .await;
    assert_eq!(seen[0], json!("A"));
    assert_eq!(seen[1], json!(1));
    assert_eq!(seen[2], json!(["A", "c"]));
    assert!(
        seen[3]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.as_u64() != Some(2)),
        "the deleted message stays out of hops: {}",
        seen[3]
    );
    let kept = run(
        &alice,
        "return (await tim.getMessageList({ conversationID: 'C2Cbob' })).data.messageList.map((m) => m.payload.text);",
    )
    .await;
    assert_eq!(kept, json!(["A", "b", "c"]));

    // The conversation's own state: read all, a star, muted, a draft and
    // custom data, then its history cleared and the conversation deleted.
    let state = run(
        &bob,
        "await tim.setAllMessageRead({ scope: TIM.TYPES.READ_ALL_C2C_MSG });
         await tim.markConversation({ conversationIDList: ['C2Calice'], markType: TIM.TYPES.CONV_MARK_TYPE_STAR, enableMark: true });
         await tim.setMessageRemindType({ userIDList: ['alice'], messageRemindType: TIM.TYPES.MSG_REMIND_ACPT_NOT_NOTE });
         await tim.setConversationDraft({ conversationID: 'C2Calice', draftText: 'half a thought' });
         await tim.setConversationCustomData({ conversationIDList: ['C2Calice'], customData: 'pinned note' });
         const c = (await tim.getConversationProfile('C2Calice')).data.conversation;
         await tim.clearHistoryMessage('C2Calice');
         const history = (await tim.getMessageList({ conversationID: 'C2Calice' })).data.messageList.length;
         await tim.deleteConversation({ conversationIDList: ['C2Calice'], clearHistoryMessage: false });
         const listed = (await tim.getConversationList()).data.conversationList.map((c) => c.conversationID);
         return [c.unreadCount, c.markList, c.messageRemindType, history, listed];",
    )
    .await;
    assert_eq!(state, json!([0, [1], "AcceptNotNotify", 0, []]));

    // A read receipt in a work group: asked with the message, sent by bob,
    // counted for alice.
    let counts = run(
        &alice,
        "const group = (await tim.createGroup({ name: 'team', memberList: [{ userID: 'bob' }] })).data.group.groupID;
         const m = tim.createTextMessage({ to: group, conversationType: 'GROUP', payload: { text: 'read me' },
                                           needReadReceipt: true });
         await tim.sendMessage(m);
         window.asked = m;
         return 0;",
    )
    .await;
    assert_eq!(counts, json!(0));
    run(
        &bob,
        "const m = await until(() => got.find((m) => m.payload.text === 'read me'));
         await tim.sendMessageReadReceipt([m]);
         return m.needReadReceipt;",
    )
    .await;
    let receipt = run(
        &alice,
        "await until(() => events.includes(TIM.EVENT.MESSAGE_READ_RECEIPT_RECEIVED));
         const [m] = (await tim.getMessageReadReceiptList([asked])).data.messageList;
         const read = (await tim.getGroupMessageReadMemberList({ message: asked, filter: 0 })).data;
         const unread = (await tim.getGroupMessageReadMemberList({ message: asked, filter: 1 })).data;
         // Refused: a message past the group's last, a page of nothing.
         const code = (options) => tim.getGroupMessageReadMemberList(options).then(() => 0, (e) => e.code);
         const refused = [await code({ message: { ...asked, sequence: 999 }, filter: 0 }),
                          await code({ message: asked, filter: 0, count: 0 })];
         return [m.readReceiptInfo.readCount, m.readReceiptInfo.unreadCount,
                 read.readUserIDList, read.isCompleted, unread.unreadUserIDList, read.messageID === asked.ID,
                 refused];",
    )
    .await;
    assert_eq!(
        receipt,
        json!([1, 0, ["bob"], true, [], true, [10004, 10004]])
    );

    // Presence: alice follows bob's status.
    run(
        &alice,
        "window.statuses = [];
         tim.on(TIM.EVENT.USER_STATUS_UPDATED, ({ data }) => statuses.push(...data));
         await tim.subscribeUserStatus({ userIDList: ['bob'] });
         return 0;",
    )
    .await;
    run(
        &bob,
        "return (await tim.setSelfStatus({ customStatus: 'reading' })).code;",
    )
    .await;
    let status = run(
        &alice,
        "const pushed = await until(() => statuses.find((s) => s.customStatus === 'reading'));
         const [now] = (await tim.getUserStatus({ userIDList: ['bob'] })).data.successUserList;
         return [pushed.userID, now.statusType, now.customStatus];",
    )
    .await;
    assert_eq!(status, json!(["bob", 1, "reading"]));

    for page in [alice, bob] {
        page.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_is_run_from_pages() {
    let (_setup, alice, bob) = alice_and_bob().await;

    // A group that asks: bob's request waits for alice, who lets him in.
    let group = run(
        &alice,
        "return (await tim.createGroup({ type: TIM.TYPES.GRP_PUBLIC, name: 'club',
                                         joinOption: TIM.TYPES.JOIN_OPTIONS_NEED_PERMISSION })).data.group.groupID;",
    )
    .await;
    let group = group.as_str().unwrap().to_owned();
    let js = |body: &str| body.replace("GID", &group);
    let asked = run(
        &bob,
        &js("return (await tim.joinGroup({ groupID: 'GID', applyMessage: 'let me in' })).data.status;"),
    )
    .await;
    assert_eq!(asked, json!("WaitAdminApproval"));
    let handled = run(
        &alice,
        &js(
            "const [application] = (await tim.getGroupApplicationList()).data.applicationList;
             await tim.handleGroupApplication({ handleAction: 'Agree', application });
             return [application.groupID, application.applicant, application.applyMessage];",
        ),
    )
    .await;
    assert_eq!(handled, json!([group, "bob", "let me in"]));
    run(
        &bob,
        &js("return await until(async () => (await tim.getGroupList()).data.groupList.some((g) => g.groupID === 'GID'));"),
    )
    .await;

    // Roles, name cards, muting, the profile, and the owner's seat.
    let member = run(
        &alice,
        &js("await tim.setGroupMemberRole({ groupID: 'GID', userID: 'bob', role: 'Admin' });
             await tim.updateGroupProfile({ groupID: 'GID', name: 'book club', introduction: 'we read' });
             const [bob] = (await tim.getGroupMemberProfile({ groupID: 'GID', userIDList: ['bob'] })).data.memberList;
             const group = (await tim.getGroupProfile({ groupID: 'GID' })).data.group;
             return [bob.role, group.name, group.introduction, group.memberCount];"),
    )
    .await;
    assert_eq!(member, json!(["Admin", "book club", "we read", 2]));
    let card = run(
        &bob,
        &js("await tim.setGroupMemberNameCard({ groupID: 'GID', nameCard: 'Bobby' });
             const found = (await tim.searchGroupByID('GID')).data.group;
             const [me] = (await tim.getGroupMemberProfile({ groupID: 'GID', userIDList: ['bob'] })).data.memberList;
             let refused = 0;
             try { await tim.changeGroupOwner({ groupID: 'GID', newOwnerID: 'bob' }); }
             catch (e) { refused = e.code; }
             return [found.name, me.nameCard, refused];"),
    )
    .await;
    assert_eq!(card, json!(["book club", "Bobby", 10007]));
    let muted = run(
        &alice,
        &js("await tim.setGroupMemberRole({ groupID: 'GID', userID: 'bob', role: 'Member' });
             await tim.setGroupMemberMuteTime({ groupID: 'GID', userID: 'bob', muteTime: 600 });
             const [bob] = (await tim.getGroupMemberProfile({ groupID: 'GID', userIDList: ['bob'] })).data.memberList;
             return bob.muteUntil > Date.now() / 1000;"),
    )
    .await;
    assert_eq!(muted, json!(true));
    let refused = run(
        &bob,
        &js("const m = tim.createTextMessage({ to: 'GID', conversationType: TIM.TYPES.CONV_GROUP, payload: { text: 'hi' } });
             try { await tim.sendMessage(m); return 0; } catch (e) { return e.code; }"),
    )
    .await;
    assert_eq!(refused, json!(10017));
    let owner = run(
        &alice,
        &js(
            "await tim.changeGroupOwner({ groupID: 'GID', newOwnerID: 'bob' });
             return (await tim.getGroupProfile({ groupID: 'GID' })).data.group.ownerID;",
        ),
    )
    .await;
    assert_eq!(owner, json!("bob"));

    // A live room counts who is in it.
    let online = run(
        &alice,
        "const room = (await tim.createGroup({ type: TIM.TYPES.GRP_AVCHATROOM, name: 'live' })).data.group.groupID;
         await tim.joinGroup({ groupID: room });
         return (await tim.getGroupOnlineMemberCount(room)).data.memberCount;",
    )
    .await;
    assert_eq!(online, json!(1));

    for page in [alice, bob] {
        page.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_send_images_and_files_through_the_upload_service() {
    let (_setup, alice, bob) = alice_and_bob().await;

    // An image drawn in the page: uploaded with progress, its variants
    // made by the server, sent; bob's page loads the thumbnail.
    let sent = run(
        &alice,
        "const canvas = new OffscreenCanvas(640, 480);
         const g = canvas.getContext('2d');
         g.fillStyle = '#3a7'; g.fillRect(0, 0, 640, 480);
         const file = new File([await canvas.convertToBlob({ type: 'image/png' })], 'square.png', { type: 'image/png' });
         const progress = [];
         const m = tim.createImageMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C,
                                            payload: { file }, onProgress: (f) => progress.push(f) });
         const answer = await tim.sendMessage(m);
         const [original, large, thumbnail] = m.payload.imageInfoArray;
         return [answer.data.message.status, m.payload.imageFormat, original.width, original.height,
                 thumbnail.url !== '' && thumbnail.width < 640, progress.at(-1)];",
    )
    .await;
    assert_eq!(sent, json!(["success", 3, 640, 480, true, 1]));
    let got = run(
        &bob,
        "const m = await until(() => got.find((m) => m.type === TIM.TYPES.MSG_IMAGE));
         const thumbnail = m.payload.imageInfoArray[2];
         const answer = await fetch(thumbnail.url);
         const fresh = (await tim.getDownloadUrl({ conversationID: 'C2Calice', sequence: m.sequence })).data;
         return [m.payload.imageInfoArray[0].width, answer.status, answer.headers.get('content-type'),
                 (await fetch(fresh.url)).status];",
    )
    .await;
    assert_eq!(got, json!([640, 200, "image/jpeg", 200]));

    // A file of several chunks arrives whole.
    let sent = run(
        &alice,
        "const bytes = new Uint8Array(2_500_000).map((_, i) => (i * 7) % 251);
         window.sentDigest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))).join();
         const progress = [];
         const m = tim.createFileMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C,
                                           payload: { file: new File([bytes], 'data.bin') },
                                           onProgress: (f) => progress.push(f) });
         await tim.sendMessage(m);
         return [m.payload.fileName, m.payload.fileSize, progress.length, sentDigest];",
    )
    .await;
    let digest = sent[3].clone();
    assert_eq!(sent, json!(["data.bin", 2_500_000, 3, digest]));
    let got = run(
        &bob,
        "const m = await until(() => got.find((m) => m.type === TIM.TYPES.MSG_FILE));
         const answer = await fetch(m.payload.fileUrl);
         const bytes = await answer.arrayBuffer();
         return [m.payload.fileName, m.payload.fileSize,
                 Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))).join()];",
    )
    .await;
    assert_eq!(got, json!(["data.bin", 2_500_000, digest]));

    // A page smuggled in as a file is served as bytes to save, sandboxed,
    // never as a page of this origin.
    let served = run(
        &alice,
        "const m = tim.createFileMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C,
             payload: { file: new File(['<script>alert(localStorage.length)</script>'], 'evil.html',
                                       { type: 'text/html' }) } });
         await tim.sendMessage(m);
         const answer = await fetch(m.payload.fileUrl);
         return ['content-type', 'content-disposition', 'x-content-type-options', 'content-security-policy']
           .map((h) => answer.headers.get(h));",
    )
    .await;
    assert_eq!(
        served,
        json!([
            "application/octet-stream",
            "attachment",
            "nosniff",
            "sandbox; default-src 'none'"
        ])
    );

    // Refused: no file, an image over TIM's 28 MB, a kind the module does
    // not send; each message marked failed with the code.
    let refused = run(
        &alice,
        "const code = async (m) => { try { await tim.sendMessage(m); return 0; } catch (e) { return [e.code, m.status]; } };
         const to = { to: 'bob', conversationType: TIM.TYPES.CONV_C2C };
         return [
           await code(tim.createImageMessage({ ...to, payload: {} })),
           await code(tim.createImageMessage({ ...to, payload: { file: new File([new Uint8Array(29 << 20)], 'big.png') } })),
           await code({ ...tim.createTextMessage({ ...to, payload: { text: '' } }), type: TIM.TYPES.MSG_MERGER }),
         ];",
    )
    .await;
    assert_eq!(
        refused,
        json!([[2251, "fail"], [2252, "fail"], [10004, "fail"]])
    );

    for page in [alice, bob] {
        page.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_send_videos_with_a_thumbnail_and_forward_messages() {
    let (_setup, alice, bob) = alice_and_bob().await;

    // A video recorded in the page (a canvas through MediaRecorder): the
    // video uploaded, a frame of it uploaded as the thumbnail.
    let sent = run(
        &alice,
        &[
            RECORD_CLIP,
            "const file = await recordClip();
         window.clipDigest = Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()))).join();
         const m = tim.createVideoMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C, payload: { file } });
         await tim.sendMessage(m);
         const p = m.payload;
         return [m.status, m.type, p.videoFormat, p.videoSize === file.size, p.videoUrl !== '',
                 p.thumbUrl !== '', p.thumbWidth, p.thumbHeight, p.thumbSize > 0];",
        ]
        .concat(),
    )
    .await;
    assert_eq!(
        sent,
        json!([
            "success",
            "TIMVideoFileElem",
            "webm",
            true,
            true,
            true,
            320,
            240,
            true
        ])
    );
    let got = run(
        &bob,
        "const m = await until(() => got.find((m) => m.type === TIM.TYPES.MSG_VIDEO));
         const p = m.payload;
         const video = await (await fetch(p.videoUrl)).arrayBuffer();
         const thumb = await fetch(p.thumbUrl);
         const picture = await createImageBitmap(await thumb.blob());
         const c = new OffscreenCanvas(picture.width, picture.height);
         c.getContext('2d').drawImage(picture, 0, 0);
         const [r, g, b] = c.getContext('2d').getImageData(160, 120, 1, 1).data;
         return [p.videoFormat, p.thumbWidth, p.thumbHeight,
                 Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', video))).join(),
                 thumb.status, thumb.headers.get('content-type'), r + g + b > 48];",
    )
    .await;
    let digest = run(&alice, "return clipDigest;").await;
    assert_eq!(
        got,
        json!(["webm", 320, 240, digest, 200, "image/jpeg", true]),
        "the thumbnail is a picture of the video, not a black first frame"
    );

    // Forwarded: the video and a text go on from bob to alice as they are.
    let forwarded = run(
        &bob,
        "const video = got.find((m) => m.type === TIM.TYPES.MSG_VIDEO);
         const text = tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C, payload: { text: 'pass it on' } });
         const to = { to: 'alice', conversationType: TIM.TYPES.CONV_C2C };
         await tim.sendMessage(tim.createForwardMessage({ ...to, payload: video }));
         await tim.sendMessage(tim.createForwardMessage({ ...to, payload: text }));
         return video.payload.videoUUID;",
    )
    .await;
    let again = run(
        &alice,
        "const [video, text] = await until(() => {
           const mine = got.filter((m) => m.from === 'bob');
           return mine.length === 2 && mine;
         });
         return [video.type, video.payload.videoUUID, video.payload.thumbWidth, text.payload.text];",
    )
    .await;
    assert_eq!(
        again,
        json!(["TIMVideoFileElem", forwarded, 320, "pass it on"])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_merge_messages_nest_mergers_and_forward_them() {
    let (_setup, alice, bob) = alice_and_bob().await;
    run(
        &alice,
        "const to = { to: 'bob', conversationType: TIM.TYPES.CONV_C2C };
         await tim.sendMessage(tim.createTextMessage({ ...to, payload: { text: 'first' } }));
         await tim.sendMessage(tim.createCustomMessage({ ...to, payload: { data: '{\"k\":1}', description: 'k' } }));",
    )
    .await;

    // Bob merges what alice sent, with a merger of one of them inside.
    let sent = run(
        &bob,
        "const [first, custom] = await until(() => got.length === 2 && got);
         const to = { to: 'alice', conversationType: TIM.TYPES.CONV_C2C };
         const inner = tim.createMergerMessage({ ...to, payload: { messageList: [first], title: 'inner',
                                                  abstractList: ['alice: first'], compatibleText: '[chat]' } });
         const m = tim.createMergerMessage({ ...to, payload: { messageList: [first, custom, inner],
           title: 'Chat history of alice and bob', abstractList: ['alice: first', 'alice: [custom]'],
           compatibleText: 'upgrade to read it' } });
         const answer = await tim.sendMessage(m);
         return [answer.code, m.status];",
    )
    .await;
    assert_eq!(sent, json!([0, "success"]));
    let got = run(
        &alice,
        "const m = await until(() => got.find((m) => m.type === TIM.TYPES.MSG_MERGER));
         const list = (await tim.downloadMergerMessage(m)).data;
         const inner = list[2];
         return [m.payload.title, m.payload.abstractList, m.payload.compatibleText,
                 list.map((x) => [x.type, x.from, x.time > 0]),
                 list[0].payload.text, list[1].payload.data, inner.payload.title,
                 inner.payload.messageList.map((x) => x.payload.text)];",
    )
    .await;
    assert_eq!(
        got,
        json!([
            "Chat history of alice and bob",
            ["alice: first", "alice: [custom]"],
            "upgrade to read it",
            [
                ["TIMTextElem", "alice", true],
                ["TIMCustomElem", "alice", true],
                ["TIMRelayElem", "bob", true]
            ],
            "first",
            "{\"k\":1}",
            "inner",
            ["first"]
        ])
    );

    // Forwarded whole, and refused: over a message's 12 KB, or holding
    // what no client sends (a group tip).
    let refused = run(
        &alice,
        "const to = { to: 'bob', conversationType: TIM.TYPES.CONV_C2C };
         const merger = got.find((m) => m.type === TIM.TYPES.MSG_MERGER);
         await tim.sendMessage(tim.createForwardMessage({ ...to, payload: merger }));
         const code = async (m) => { try { await tim.sendMessage(m); return 0; } catch (e) { return [e.code, m.status]; } };
         const long = tim.createTextMessage({ ...to, payload: { text: 'x'.repeat(5000) } });
         const tip = { type: TIM.TYPES.MSG_GRP_TIP, payload: {}, from: 'bob', time: 1 };
         const merge = (messageList) => tim.createMergerMessage({ ...to, payload: { messageList, title: 't',
                                                                 abstractList: [], compatibleText: '' } });
         return [await code(merge([long, long, long])), await code(merge([tip]))];",
    )
    .await;
    assert_eq!(refused, json!([[10004, "fail"], [10004, "fail"]]));
    let forwarded = run(
        &bob,
        "const m = await until(() => got.find((m) => m.type === TIM.TYPES.MSG_MERGER));
         return [m.from, (await tim.downloadMergerMessage(m)).data.length];",
    )
    .await;
    assert_eq!(forwarded, json!(["alice", 3]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_message_is_resent_with_its_id_and_stored_once() {
    let (_setup, alice, bob) = alice_and_bob().await;
    run(&bob, "await tim.addToBlacklist({ userIDList: ['alice'] });").await;
    // Refused while bob blocks alice: failed, and the page keeps its ID.
    let failed = run(
        &alice,
        "window.m = tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C,
                                           payload: { text: 'are you there' } });
         const code = await tim.sendMessage(m).then(() => 0, (e) => e.code);
         window.firstID = m.ID;
         return [code, m.status, m.ID !== ''];",
    )
    .await;
    assert_eq!(failed, json!([20007, "fail", true]));
    run(
        &bob,
        "await tim.removeFromBlacklist({ userIDList: ['alice'] });",
    )
    .await;
    // Resent: stored under the same ID; resent again: answered as stored,
    // not stored twice.
    let resent = run(
        &alice,
        "const first = (await tim.resendMessage(m)).data.message;
         const [id, seq] = [first.ID, first.sequence];
         const again = (await tim.resendMessage(m)).data.message;
         await tim.sendMessage(tim.createTextMessage({ to: 'bob', conversationType: TIM.TYPES.CONV_C2C,
                                                       payload: { text: 'marker' } }));
         return [id === firstID, seq, again.sequence, again.status];",
    )
    .await;
    assert_eq!(resent, json!([true, 1, 1, "success"]));
    let got = run(
        &bob,
        "await until(() => got.find((m) => m.payload.text === 'marker'));
         return got.map((m) => [m.payload.text, m.sequence]);",
    )
    .await;
    assert_eq!(got, json!([["are you there", 1], ["marker", 2]]));
}

/// Opens the friendship build in `page` and logs `user` in.
async fn with_friends(page: &fantoccini::Client, http: &str, user: &str) {
    page.goto(&format!("http://{http}/")).await.unwrap();
    install_bundle(page, FRIENDSHIP).await;
    login(page, user).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn friends_applications_and_friend_groups_from_the_friendship_build() {
    let Setup { http, driver, .. } = &Setup::start();
    let (alice, bob, carol) = (
        driver.browser().await,
        driver.browser().await,
        driver.browser().await,
    );
    with_friends(&alice, http, "alice").await;
    with_friends(&bob, http, "bob").await;
    // The plain build has no relationship chain: 2998, as TIM's plain
    // build answers, and the page goes on.
    open_and_login(&carol, http, "carol").await;
    let plain = run(
        &carol,
        "const refused = await tim.getFriendList().catch((e) => e.code);
         const added = await tim.addFriend({ to: 'alice', source: 'AddSource_Type_Web' }).catch((e) => e.code);
         return [refused, added, (await tim.getMyProfile()).data.userID];",
    )
    .await;
    assert_eq!(plain, json!([2998, 2998, "carol"]));

    // An application to a user who confirms: waiting (30539) until bob
    // accepts, and added back, both ways.
    run(
        &bob,
        "await tim.updateMyProfile({ allowType: TIM.TYPES.ALLOW_TYPE_NEED_CONFIRM });",
    )
    .await;
    let asked = run(
        &alice,
        "const answer = await tim.addFriend({ to: 'bob', source: 'AddSource_Type_Web', wording: 'hi bob',
                                             type: TIM.TYPES.SNS_ADD_TYPE_BOTH, remark: 'Bobby' });
         return [answer.code, answer.data.userID, answer.data.code];",
    )
    .await;
    assert_eq!(asked, json!([0, "bob", 30539]));
    let applications = run(
        &bob,
        "await until(() => events.includes(TIM.EVENT.FRIEND_APPLICATION_LIST_UPDATED));
         const before = (await tim.getFriendApplicationList()).data;
         await tim.setFriendApplicationRead();
         const after = (await tim.getFriendApplicationList()).data;
         await tim.acceptFriendApplication({ userID: 'alice', remark: 'Ally',
                                             type: TIM.TYPES.SNS_APPLICATION_AGREE_AND_ADD });
         const mine = (await tim.getFriendList()).data;
         return [before.applicationList.map((a) => [a.userID, a.type, a.wording, a.source]),
                 before.unreadCount, after.unreadCount,
                 mine.map((f) => [f.userID, f.remark, f.profile.userID])];",
    )
    .await;
    assert_eq!(
        applications,
        json!([
            [[
                "alice",
                "Pendency_Type_ComeIn",
                "hi bob",
                "AddSource_Type_Web"
            ]],
            1,
            0,
            [["alice", "Ally", "alice"]]
        ])
    );
    let friends = run(
        &alice,
        "await until(async () => (await tim.getFriendList()).data.length === 1);
         const [bob] = (await tim.getFriendList()).data;
         const check = (await tim.checkFriend({ userIDList: ['bob', 'carol'] })).data.successUserIDList;
         const updated = (await tim.updateFriend({ userID: 'bob', remark: 'Robert',
           friendCustomField: [{ key: 'Tag_SNS_Custom_city', value: 'Paris' }] })).data;
         const profile = (await tim.getFriendProfile({ userIDList: ['bob', 'carol'] })).data;
         return [bob.remark, bob.source, bob.wording, bob.profile.userID,
                 check.map((c) => [c.userID, c.relation]),
                 [updated.remark, updated.friendCustomField],
                 profile.friendList.map((f) => f.userID),
                 profile.failureUserIDList.map((f) => [f.userID, f.code])];",
    )
    .await;
    assert_eq!(
        friends,
        json!([
            "Bobby",
            "AddSource_Type_Web",
            "hi bob",
            "bob",
            [
                ["bob", "CheckResult_Type_BothWay"],
                ["carol", "CheckResult_Type_NoRelation"]
            ],
            ["Robert", [{ "key": "Tag_SNS_Custom_city", "value": "Paris" }]],
            ["bob"],
            [["carol", 2700]]
        ])
    );

    // Friend groups: made with bob in it, renamed, shown on bob's entry,
    // emptied and deleted.
    let groups = run(
        &alice,
        "const made = (await tim.createFriendGroup({ name: 'work', userIDList: ['bob'] })).data.friendGroup;
         const renamed = (await tim.renameFriendGroup({ oldName: 'work', newName: 'team' })).data.friendGroup;
         const [bob] = (await tim.getFriendList()).data;
         const emptied = (await tim.removeFromFriendGroup({ name: 'team', userIDList: ['bob'] })).data.friendGroup;
         const back = (await tim.addToFriendGroup({ name: 'team', userIDList: ['bob'] })).data.friendGroup;
         await tim.deleteFriendGroup({ name: 'team' });
         const left = (await tim.getFriendGroupList()).data;
         return [made, renamed.name, bob.groupList, emptied.count, back.userIDList, left];",
    )
    .await;
    assert_eq!(
        groups,
        json!([
            { "name": "work", "count": 1, "userIDList": ["bob"] },
            "team",
            ["team"],
            0,
            ["bob"],
            []
        ])
    );

    // Bad arguments are codes, not exceptions; then a deletion both ways
    // reaches bob's list.
    let deleted = run(
        &alice,
        "const bad = await tim.addFriend({ to: '', source: 'AddSource_Type_Web' }).catch((e) => e.code);
         const both = (await tim.deleteFriend({ userIDList: ['bob'], type: TIM.TYPES.SNS_DELETE_TYPE_BOTH })).data;
         return [bad > 0, both.successUserIDList.map((u) => u.userID), (await tim.getFriendList()).data];",
    )
    .await;
    assert_eq!(deleted, json!([true, ["bob"], []]));
    let gone = run(
        &bob,
        "await until(async () => (await tim.getFriendList()).data.length === 0);
         return (await tim.checkFriend({ userIDList: ['alice'] })).data.successUserIDList[0].relation;",
    )
    .await;
    assert_eq!(gone, json!("CheckResult_Type_NoRelation"));
}

/// Waits until the page has an element `css` names.
async fn shows(page: &fantoccini::Client, css: &str) {
    page.wait().for_element(Locator::Css(css)).await.unwrap();
}

/// Waits until the page has an element `xpath` names.
async fn shows_xpath(page: &fantoccini::Client, xpath: &str) {
    page.wait()
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap();
}

/// Types `text` into the field `css` names.
async fn type_into(page: &fantoccini::Client, css: &str, text: &str) {
    let field = page.find(Locator::Css(css)).await.unwrap();
    field.send_keys(text).await.unwrap();
}

/// Clicks the button (or other element) `css` names, through WebDriver.
async fn press(page: &fantoccini::Client, css: &str) {
    page.find(Locator::Css(css))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// Clicks the element `css` names as it is now in the page.
async fn click(page: &fantoccini::Client, css: &str) {
    let script = format!("document.querySelector({css:?}).click()");
    page.execute(&script, vec![]).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_page_lets_two_people_chat() {
    let Setup { http, driver, .. } = &Setup::start();
    let alice = driver.browser().await;
    let bob = driver.browser().await;
    for (page, user) in [(&alice, "alice"), (&bob, "bob")] {
        page.goto(&format!("http://{http}/")).await.unwrap();
        type_into(page, "#user", user).await;
        // The app's id and key sit in a folded section: set as a person
        // would after unfolding it.
        press(page, "summary").await;
        for (field, value) in [("#app", APP_ID.to_string()), ("#key", KEY.to_owned())] {
            let input = page.find(Locator::Css(field)).await.unwrap();
            input.clear().await.unwrap();
            input.send_keys(&value).await.unwrap();
        }
        press(page, "#login-button").await;
        shows(page, "#chat:not([hidden])").await;
    }

    // Alice opens a chat with bob and sends; her message shows as sent.
    type_into(&alice, "#peer", "bob").await;
    press(&alice, "#open-c2c button").await;
    type_into(&alice, "#text", "hi bob, from the page").await;
    press(&alice, "#send").await;
    shows(&alice, "#messages li.out[data-status='success']").await;

    // Bob's list shows the conversation with one unread; opening it shows
    // the message and clears the count. (The page redraws its lists at
    // each event, so each step finds its element afresh: a wait that holds
    // an element would hold one the next redraw replaced.)
    shows_xpath(
        &bob,
        "//li[@data-id='C2Calice']/span[@class='badge' and .='1']",
    )
    .await;
    click(&bob, "#conversations li[data-id='C2Calice']").await;
    shows_xpath(
        &bob,
        "//ol[@id='messages']/li[@class='in' and .='hi bob, from the page']",
    )
    .await;
    shows_xpath(
        &bob,
        "//li[@data-id='C2Calice']/span[@class='badge' and normalize-space()='']",
    )
    .await;

    // Bob answers; alice's open conversation shows it.
    type_into(&bob, "#text", "hello alice").await;
    press(&bob, "#send").await;
    shows_xpath(
        &alice,
        "//ol[@id='messages']/li[@class='in' and .='hello alice']",
    )
    .await;
    shows(&bob, "#messages li.out[data-status='success']").await;

    // A group made in alice's page, joined by its id in bob's: a message
    // in it shows with its sender, and the group is listed in both.
    type_into(&alice, "#group-name", "team").await;
    press(&alice, "#create-group button").await;
    let title = alice
        .wait()
        .for_element(Locator::XPath(
            "//header[@id='title' and starts-with(., 'GROUP')]",
        ))
        .await
        .unwrap();
    let group = title
        .text()
        .await
        .unwrap()
        .trim_start_matches("GROUP")
        .to_owned();
    type_into(&bob, "#group-id", &group).await;
    press(&bob, "#join-group button").await;
    shows(&bob, &format!("#groups li[data-id='{group}']")).await;
    type_into(&alice, "#text", "hello team").await;
    press(&alice, "#send").await;
    shows_xpath(
        &bob,
        "//ol[@id='messages']/li[@class='in' and span[@class='from']='alice' and contains(., 'hello team')]",
    )
    .await;

    // A picture attached in alice's page: uploaded, sent, and shown in
    // bob's as an image his browser loaded.
    let files = tempfile::tempdir().unwrap();
    let picture = files.path().join("sunrise.png");
    image::RgbImage::from_fn(480, 320, |x, y| {
        image::Rgb([(x / 2) as u8, (y * 3 / 4) as u8, 160])
    })
    .save(&picture)
    .unwrap();
    let attach = alice.find(Locator::Css("#attach")).await.unwrap();
    attach.send_keys(picture.to_str().unwrap()).await.unwrap();
    shows_xpath(
        &alice,
        "//ol[@id='messages']/li[@data-status='success']/img",
    )
    .await;
    shows(&bob, "#messages li.in img").await;
    let loaded = run(
        &bob,
        "const img = document.querySelector('#messages li.in img');
         if (!img.complete) await new Promise((done) => (img.onload = img.onerror = done));
         return [img.naturalWidth > 0, img.naturalWidth <= 480];",
    )
    .await;
    assert_eq!(loaded, json!([true, true]));

    // A video recorded in alice's page and attached: bob's page shows a
    // player with a frame of it as the poster.
    run(
        &alice,
        &[
            RECORD_CLIP,
            "const clip = await recordClip();
         const input = document.querySelector('#attach');
         const files = new DataTransfer();
         files.items.add(clip);
         input.files = files.files;
         input.dispatchEvent(new Event('change'));",
        ]
        .concat(),
    )
    .await;
    shows(&bob, "#messages li.in video").await;
    let player = run(
        &bob,
        "let video = null;
         for (let waited = 0; !video?.poster && waited < 20000; waited += 10) {
           await new Promise((resolve) => setTimeout(resolve, 10));
           video = document.querySelector('#messages li.in video');
         }
         if (!video?.poster) return 'no poster';
         // The poster is a picture of the video, not a black first frame.
         const poster = new Image();
         await new Promise((resolve) => {
           poster.onload = poster.onerror = resolve;
           poster.src = video.poster;
         });
         const c = document.createElement('canvas');
         [c.width, c.height] = [poster.naturalWidth, poster.naturalHeight];
         c.getContext('2d').drawImage(poster, 0, 0);
         const [r, g, b] = c.getContext('2d').getImageData(c.width / 2, c.height / 2, 1, 1).data;
         return [video.src.includes('/'), video.controls, r + g + b > 48];",
    )
    .await;
    assert_eq!(player, json!([true, true, true]));

    // The page as bob sees it, kept for the README and for whoever looks
    // at a failed run.
    let png = bob.screenshot().await.unwrap();
    let artifacts =
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts");
    std::fs::create_dir_all(&artifacts).unwrap();
    std::fs::write(artifacts.join("web-chat.png"), png).unwrap();

    for page in [alice, bob] {
        page.close().await.unwrap();
    }
}
