//! An application names what the API takes and returns through this crate
//! alone (no direct dependency on tinyim-core), and errors carry TIM's codes.

#[test]
fn a_phones_options_and_the_errors_are_named_through_this_crate() {
    let options = tinyim_tokio::Options {
        config: tinyim_tokio::Config::new(tinyim_tokio::DeviceClass::Mobile),
        ..Default::default()
    };
    assert_eq!(options.config.device, tinyim_tokio::DeviceClass::Mobile);
    let timeout = tinyim_tokio::TimError::request(tinyim_tokio::RequestError::Timeout);
    assert_eq!(timeout.code(), 2801);
    let forged = tinyim_tokio::TimError::Command(tinyim_tokio::CommandError::NotSendable);
    assert_eq!(forged.code(), 9002);
}

#[test]
fn a_servers_refusal_reads_in_words_with_its_code() {
    let blocked = tinyim_tokio::TimError::request(tinyim_tokio::RequestError::Server(20007));
    assert_eq!(
        blocked.to_string(),
        "the other user has blocked you (server error 20007)"
    );
    let unknown = tinyim_tokio::TimError::request(tinyim_tokio::RequestError::Server(1));
    assert_eq!(unknown.to_string(), "server error 1");
    let said = tinyim_tokio::TimError::Request {
        error: tinyim_tokio::RequestError::Server(10004),
        message: "remark over 96 bytes".into(),
    };
    assert!(
        said.to_string()
            .ends_with(": remark over 96 bytes (server error 10004)"),
        "the server's words follow the code's: {said}"
    );
}

#[test]
fn a_usersig_too_long_is_an_invalid_usersig_not_a_rate_limit() {
    let long = tinyim_tokio::TimError::Command(tinyim_tokio::CommandError::UserSigTooLong);
    assert_eq!(long.code(), 70003);
}

#[test]
fn errors_say_whether_they_are_worth_retrying() {
    use tinyim_tokio::{CommandError, RequestError, TimError};
    for worth in [
        TimError::request(RequestError::Timeout),
        TimError::request(RequestError::Disconnected),
        TimError::request(RequestError::Server(2996)),
        TimError::request(RequestError::Server(9004)),
        TimError::request(RequestError::Server(9010)),
        TimError::Command(CommandError::OutboxFull),
    ] {
        assert!(worth.is_retryable(), "{worth:?}");
    }
    for not in [
        TimError::request(RequestError::Server(20007)),
        TimError::request(RequestError::Server(70009)),
        TimError::Command(CommandError::InvalidId),
        TimError::Closed,
    ] {
        assert!(!not.is_retryable(), "{not:?}");
    }
}

#[test]
fn each_kind_of_bad_id_has_its_own_code() {
    use tinyim_tokio::{CommandError, TimError};
    assert_eq!(TimError::Command(CommandError::InvalidId).code(), 2503);
    assert_eq!(TimError::Command(CommandError::InvalidUserId).code(), 70107);
    assert_eq!(
        TimError::Command(CommandError::InvalidGroupId).code(),
        10015
    );
}

#[test]
fn there_is_a_constructor_per_kind_an_application_sends() {
    use tinyim_tokio::{ConversationType, Outgoing, Payload, Picture};
    let custom = Outgoing::custom(ConversationType::Group, "g1", "{}", "a reading", "v1");
    assert_eq!(
        (
            custom.to.as_str(),
            custom.conversation_type,
            &custom.payload
        ),
        (
            "g1",
            ConversationType::Group,
            &Payload::Custom {
                data: "{}".into(),
                description: "a reading".into(),
                extension: "v1".into()
            }
        )
    );
    let image = Outgoing::image(
        ConversationType::C2c,
        "bob",
        "https://x/i.png",
        (64, 48),
        300,
    );
    assert!(matches!(
        image.payload,
        Payload::Image {
            original: Picture {
                width: 64,
                height: 48,
                size: 300,
                ..
            },
            ..
        }
    ));
    let place = Outgoing::location(ConversationType::Group, "g", "quay", 4.35, 50.85);
    assert!(matches!(place.payload, Payload::Location { latitude, .. } if latitude.0 == 50.85));
    let reply =
        Outgoing::face(ConversationType::C2c, "bob", 3, "wink").with_cloud_custom_data("{}");
    assert_eq!(reply.cloud_custom_data, "{}");
    let file = Outgoing::file(ConversationType::C2c, "bob", "https://x/f", "notes.txt", 9);
    assert!(matches!(file.payload, Payload::File { size: 9, .. }));
    assert!(!file.online_only && file.client_msg_id.is_none());
}
