//! A progress bar on a terminal (stderr), nothing when piped.

use bulwark_image::Progress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

/// Draws layer-reading progress with indicatif when stderr is a terminal.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar labelled `what`; hidden unless stderr is a terminal.
    pub fn new(what: &str) -> Bar {
        let bar = ProgressBar::hidden();
        if std::io::stderr().is_terminal() {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_message(what.to_string());
        Bar { bar }
    }
}

impl Bar {
    /// Shows `message` on the spinner line (terminal only).
    pub fn note(&self, message: &str) {
        if self.bar.length().is_none() {
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                self.bar.set_style(style);
            }
        }
        self.bar.set_message(message.to_string());
        self.bar.tick();
    }

    /// Prints a line above the bar, or to stderr when no bar is drawn.
    pub fn println(&self, line: &str) {
        if self.bar.is_hidden() {
            eprintln!("{line}");
        } else {
            self.bar.println(line);
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl Progress for Bar {
    fn start(&self, total_bytes: Option<u64>, layers: usize) {
        let style = match total_bytes {
            Some(total) => {
                self.bar.set_length(total);
                ProgressStyle::with_template("{msg} {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})")
            }
            None => ProgressStyle::with_template("{msg} {spinner} {bytes} ({bytes_per_sec})"),
        };
        if let Ok(style) = style {
            self.bar.set_style(style);
        }
        self.bar.set_message(format!("{} ({layers} layers)", self.bar.message()));
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
