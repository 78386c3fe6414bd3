//! The image, file and voice commands of the interactive chat: the file is
//! read, uploaded to the server's upload service (or stored in the
//! `--upload-dir` directory), and sent to the open conversation.

use tinyim_tokio::{ConversationType, Tim, UploadFile};

pub(crate) const HELP: &str =
    "media: /image <path> [width height] (read from the file when not given)  /file <path>  /voice <path> <seconds>   (to the open conversation)  /link <seq> (a fresh link to a message's upload)";

/// Runs a media command for the open conversation `target`; false if
/// `command` is not one.
pub(crate) async fn run(
    tim: &Tim,
    command: &str,
    arg: &str,
    target: Option<(ConversationType, &str)>,
) -> bool {
    if command == "/link" {
        link(tim, arg, target).await;
        return true;
    }
    let words: Vec<&str> = arg.split_whitespace().collect();
    let (path, numbers) = match (command, words.as_slice()) {
        ("/image" | "/file", [path]) => (*path, None),
        ("/image", [path, w, h]) => match (w.parse(), h.parse()) {
            (Ok(w), Ok(h)) => (*path, Some((w, h))),
            _ => {
                println!("usage: /image <path> [width height]");
                return true;
            }
        },
        ("/voice", [path, seconds]) => match seconds.parse() {
            Ok(seconds) => (*path, Some((seconds, 0))),
            Err(_) => {
                println!("usage: /voice <path> <seconds>");
                return true;
            }
        },
        ("/image" | "/file" | "/voice", _) => {
            println!("{HELP}");
            return true;
        }
        _ => return false,
    };
    let Some((conversation_type, to)) = target else {
        println!("open a conversation first: /open <user> or /group <id>");
        return true;
    };
    let owned = path.to_owned();
    let read = tokio::task::spawn_blocking(move || std::fs::read(owned)).await;
    let bytes = match read.unwrap_or_else(|e| Err(std::io::Error::other(e))) {
        Ok(bytes) => bytes,
        Err(e) => {
            println!("[cannot read {path}: {e}]");
            return true;
        }
    };
    let name = std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_owned(), |n| n.to_string_lossy().into_owned());
    let file = UploadFile { name, bytes };
    let sent = match (command, numbers) {
        ("/voice", Some((seconds, _))) => {
            tim.send_sound(conversation_type, to, &file, seconds).await
        }
        ("/image", size) => {
            // Not given: read from the image's header (0x0 if it has none).
            let (width, height) = size.unwrap_or_else(|| {
                imagesize::blob_size(&file.bytes).map_or((0, 0), |s| {
                    let side = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
                    (side(s.width), side(s.height))
                })
            });
            tim.send_image(conversation_type, to, &file, width, height)
                .await
        }
        _ => tim.send_file(conversation_type, to, &file).await,
    };
    match sent {
        Ok(sent) => println!("[sent #{}]", sent.seq),
        Err(e) => println!("[failed {}: {e}]", e.code()),
    }
    true
}

/// Prints a fresh link to the upload message `arg` (a seq) of the open
/// conversation carries: the sender's link expires, this one works for
/// the server's link lifetime from any machine that reaches it.
async fn link(tim: &Tim, arg: &str, target: Option<(ConversationType, &str)>) {
    let (Some((kind, to)), Ok(seq)) = (target, arg.trim().parse::<u64>()) else {
        println!("usage, in a conversation: /link <seq>");
        return;
    };
    let conversation = match kind {
        ConversationType::Group => format!("GROUP{to}"),
        _ => format!("C2C{to}"),
    };
    match tim.download_url(&conversation, seq).await {
        Ok(link) if link.thumbnail_url.is_empty() => println!("[#{seq}: {}]", link.url),
        Ok(link) => println!("[#{seq}: {}  thumbnail: {}]", link.url, link.thumbnail_url),
        Err(e) => println!("[no link for #{seq}: {} {e}]", e.code()),
    }
}
