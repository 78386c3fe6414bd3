//! The lines a person types, as the chat reads them: from a terminal
//! through a line editor (rustyline), which reads keys itself and so has no
//! limit on a line's length (the terminal's own line mode cuts a pasted
//! line at 4 095 bytes); from anything else (a pipe, a file) line by line.

use std::io::{IsTerminal, Write};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::sync::mpsc;

/// Typed lines, and where the prompt is shown.
pub(crate) struct Lines {
    lines: mpsc::Receiver<String>,
    /// The editor's thread, waiting for the prompt of its next line.
    prompts: Option<std::sync::mpsc::Sender<String>>,
    /// The terminal's settings before the editor changed them, put back
    /// when the chat ends (it may end while the editor waits for a key).
    terminal: Option<nix::sys::termios::Termios>,
}

impl Lines {
    /// Starts reading standard input.
    pub(crate) fn start() -> Lines {
        let (tx, lines) = mpsc::channel::<String>(16);
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            tokio::spawn(async move {
                let mut stdin = BufReader::new(tokio::io::stdin()).lines();
                while let Ok(Some(line)) = stdin.next_line().await {
                    if tx.send(line).await.is_err() {
                        break;
                    }
                }
            });
            return Lines {
                lines,
                prompts: None,
                terminal: None,
            };
        }
        let terminal = nix::sys::termios::tcgetattr(&stdin).ok();
        let (prompts, wanted) = std::sync::mpsc::channel::<String>();
        std::thread::spawn(move || {
            let Ok(mut editor) = rustyline::DefaultEditor::new() else {
                return;
            };
            // A line is read only once the chat has shown what the last
            // one did, with the prompt that follows from it.
            while let Ok(prompt) = wanted.recv() {
                let Ok(line) = editor.readline(&prompt) else {
                    // End of input (Ctrl-D) or Ctrl-C: the chat ends.
                    break;
                };
                let _ = editor.add_history_entry(line.as_str());
                if tx.blocking_send(line).is_err() {
                    break;
                }
            }
        });
        Lines {
            lines,
            prompts: Some(prompts),
            terminal,
        }
    }

    /// Shows `prompt`; the next line is typed after it.
    pub(crate) fn prompt(&self, prompt: &str) {
        match &self.prompts {
            Some(editor) => {
                let _ = editor.send(prompt.to_owned());
            }
            None => {
                print!("{prompt}");
                let _ = std::io::stdout().flush();
            }
        }
    }

    /// The next line; `None` once input has ended.
    pub(crate) async fn next(&mut self) -> Option<String> {
        self.lines.recv().await
    }
}

impl Drop for Lines {
    fn drop(&mut self) {
        if let Some(settings) = &self.terminal {
            let _ = nix::sys::termios::tcsetattr(
                std::io::stdin(),
                nix::sys::termios::SetArg::TCSANOW,
                settings,
            );
        }
    }
}
