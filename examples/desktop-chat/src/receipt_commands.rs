//! Group read receipts and the user's own marks and drafts in the chat:
//! `/ask` sends a group message asking for receipts, `/receipts` shows who
//! read one; `/star`, `/unstar` and `/draft` mark and annotate the open
//! conversation on every device of the user.

use tinyim_tokio::{ConversationType, Outgoing, Tim, MARK_STAR};

pub(crate) const HELP: &str = "receipts and marks: /ask <text>  /receipts <seq>  (in a group)  /star  /unstar  /draft [text]  (the open conversation)";

/// Runs one of these commands for the open conversation (`target`, and
/// its id); false if `command` is not one.
pub(crate) async fn run(
    tim: &Tim,
    command: &str,
    arg: &str,
    open: Option<((ConversationType, &str), String)>,
) -> bool {
    if !matches!(
        command,
        "/ask" | "/receipts" | "/star" | "/unstar" | "/draft"
    ) {
        return false;
    }
    let Some(((kind, to), conversation_id)) = open else {
        println!("open a conversation first: /open <user> or /group <id>");
        return true;
    };
    let outcome = match (command, kind) {
        ("/ask", ConversationType::Group) => {
            let message = Outgoing::text(kind, to, arg.trim()).with_read_receipt();
            tim.send(message).await.map(|sent| {
                println!(
                    "[sent #{}; /receipts {} shows who read it]",
                    sent.seq, sent.seq
                )
            })
        }
        ("/receipts", ConversationType::Group) => match arg.trim().parse::<u64>() {
            Ok(seq) => show_receipts(tim, to, seq).await,
            Err(_) => {
                println!("/receipts takes the seq of a message: /receipts 3");
                Ok(())
            }
        },
        ("/ask" | "/receipts", _) => {
            println!("receipts are for group messages: /group <id>");
            Ok(())
        }
        ("/star" | "/unstar", _) => {
            let enable = command == "/star";
            tim.mark_conversation(&[&conversation_id], MARK_STAR, enable)
                .await
                .map(|()| {
                    println!(
                        "[{conversation_id} {}]",
                        if enable { "starred" } else { "unstarred" }
                    )
                })
        }
        _ => tim
            .set_conversation_draft(&conversation_id, arg.trim())
            .await
            .map(|()| println!("[draft of {conversation_id} kept on your devices]")),
    };
    if let Err(e) = outcome {
        println!("[failed {}: {e}]", e.code());
    }
    true
}

async fn show_receipts(tim: &Tim, group_id: &str, seq: u64) -> Result<(), tinyim_tokio::TimError> {
    let counts = tim.message_read_receipts(group_id, &[seq]).await?;
    let read = tim.group_message_read_members(group_id, seq, true).await?;
    let unread = tim.group_message_read_members(group_id, seq, false).await?;
    if let Some(c) = counts.first() {
        println!(
            "[#{seq}: read by {} ({}), not yet by {} ({})]",
            c.read_count,
            read.join(", "),
            c.unread_count,
            unread.join(", ")
        );
    }
    Ok(())
}
