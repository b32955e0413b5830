//! Progress of an apply or destroy as a person follows it: one plain line per resource
//! as each step starts and ends (and "Still ..." every ten seconds), everywhere; on a
//! terminal, also a live view (indicatif) of the steps running, each with its elapsed
//! time. In CI logs and pipes there is no live view, only the plain lines.
//!
//! The plain lines go to stdout and the live view to stderr; the view is used only when
//! both are the same kind of thing (terminals), so a redirected stdout keeps every line.
//! Anything else written while the view is up (log lines, notes) goes through
//! [`suspend`], which clears the view, writes and draws it again, so nothing tears it.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::apply::Event;
use crate::render::progress::{Step as Phase, StepLine};

/// The live view now on screen, if any, for [`suspend`] and the log writer.
static ACTIVE: Mutex<Option<MultiProgress>> = Mutex::new(None);

/// How often a spinner moves and its elapsed time is redrawn.
const TICK: Duration = Duration::from_millis(120);

/// Runs `f` with the live view (if one is up) taken off the screen, so that what `f`
/// writes to the terminal lands above the view instead of tearing it.
pub fn suspend<R>(f: impl FnOnce() -> R) -> R {
    // Clone out of the lock: `f` may log, and logging comes back here.
    let view = ACTIVE.lock().ok().and_then(|active| active.clone());
    match view {
        Some(view) => view.suspend(f),
        None => f(),
    }
}

/// Whether a live view makes sense here: stdout and stderr are terminals, and the
/// terminal is not a dumb one.
pub fn wanted() -> bool {
    let dumb = std::env::var("TERM").is_ok_and(|t| t == "dumb");
    std::io::stdout().is_terminal() && std::io::stderr().is_terminal() && !dumb
}

/// A `tracing` writer for stderr that writes each log record in one piece, through
/// [`suspend`].
#[derive(Default)]
pub struct LogWriter {
    buffer: Vec<u8>,
}

impl LogWriter {
    /// A writer for one log record (tracing's `MakeWriter` calls this per record).
    pub fn new() -> LogWriter {
        LogWriter::default()
    }
}

impl Write for LogWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogWriter {
    fn drop(&mut self) {
        if self.buffer.is_empty() {
            return;
        }
        suspend(|| {
            let mut stderr = std::io::stderr().lock();
            let _ = stderr.write_all(&self.buffer);
            let _ = stderr.flush();
        });
    }
}

/// Turns executor events into lines (given to `print`) and, when live, spinners.
pub struct Progress<P: FnMut(&str)> {
    print: P,
    live: Option<Live>,
}

struct Live {
    view: MultiProgress,
    style: ProgressStyle,
    running: HashMap<(String, Phase), ProgressBar>,
}

impl<P: FnMut(&str)> Progress<P> {
    /// Progress printing through `print`, with a live view drawn to `target` if given.
    /// Only one live view is up at a time; it lasts until [`Progress::finish`].
    pub fn new(target: Option<ProgressDrawTarget>, print: P) -> Progress<P> {
        let live = target.map(|target| {
            let view = MultiProgress::with_draw_target(target);
            if let Ok(mut active) = ACTIVE.lock() {
                *active = Some(view.clone());
            }
            let style = ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            Live {
                view,
                style,
                running: HashMap::new(),
            }
        });
        Progress { print, live }
    }

    /// Shows one event: a line, and the live view updated.
    pub fn event(&mut self, event: &Event) {
        match event {
            Event::Started { address, phase, id } => {
                let line = step_line(address, *phase, id.as_deref());
                self.line(&line.started());
                if let Some(live) = &mut self.live {
                    let bar = live.view.add(ProgressBar::new_spinner());
                    bar.set_style(live.style.clone());
                    bar.set_message(step_line(address, *phase, None).started());
                    bar.enable_steady_tick(TICK);
                    live.running.insert((address.clone(), *phase), bar);
                }
            }
            // The live view shows the elapsed time already; the line is for logs.
            Event::Still {
                address,
                phase,
                elapsed,
            } if self.live.is_none() => {
                let line = step_line(address, *phase, None).still_running(*elapsed);
                self.line(&line);
            }
            Event::Still { .. } => {}
            Event::Completed {
                address,
                phase,
                elapsed,
                id,
            } => {
                self.stop_spinner(address, *phase);
                let line = step_line(address, *phase, id.as_deref()).completed(*elapsed);
                self.line(&line);
            }
            Event::Failed {
                address,
                phase,
                elapsed,
            } => {
                self.stop_spinner(address, *phase);
                self.line(&step_line(address, *phase, None).failed(*elapsed));
            }
            Event::Note { address, message } => self.line(&format!("{address}: {message}")),
        }
    }

    /// Prints a line above the live view.
    pub fn line(&mut self, text: &str) {
        let print = &mut self.print;
        match &self.live {
            Some(live) => live.view.suspend(|| print(text)),
            None => print(text),
        }
    }

    /// Takes the live view off the screen for good (steps abandoned while running keep
    /// no spinner).
    pub fn finish(mut self) {
        if let Some(live) = self.live.take() {
            for (_, bar) in live.running {
                bar.finish_and_clear();
            }
            let _ = live.view.clear();
            if let Ok(mut active) = ACTIVE.lock() {
                *active = None;
            }
        }
    }

    fn stop_spinner(&mut self, address: &str, phase: Phase) {
        if let Some(live) = &mut self.live
            && let Some(bar) = live.running.remove(&(address.to_string(), phase))
        {
            bar.finish_and_clear();
            live.view.remove(&bar);
        }
    }
}

fn step_line<'a>(address: &'a str, step: Phase, id: Option<&'a str>) -> StepLine<'a> {
    StepLine { address, step, id }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A terminal in memory: what indicatif draws, as text with its escape sequences.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<Mutex<String>>);

    impl Screen {
        fn text(&self) -> String {
            self.0.lock().map(|s| s.clone()).unwrap_or_default()
        }
    }

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            100
        }
        fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
            self.write_str(&format!("\x1b[{n}A"))
        }
        fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
            self.write_str(&format!("\x1b[{n}B"))
        }
        fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
            self.write_str(&format!("\x1b[{n}C"))
        }
        fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
            self.write_str(&format!("\x1b[{n}D"))
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(&format!("{s}\n"))
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            if let Ok(mut screen) = self.0.lock() {
                screen.push_str(s);
            }
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.write_str("\r\x1b[2K")
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn started(address: &str) -> Event {
        Event::Started {
            address: address.into(),
            phase: Phase::Create,
            id: None,
        }
    }

    fn completed(address: &str) -> Event {
        Event::Completed {
            address: address.into(),
            phase: Phase::Create,
            elapsed: Duration::from_secs(2),
            id: Some("/x".into()),
        }
    }

    #[test]
    fn plain_progress_prints_every_line_and_draws_nothing() {
        let mut lines = Vec::new();
        let mut progress = Progress::new(None, |l: &str| lines.push(l.to_string()));
        progress.event(&started("container_group.web"));
        progress.event(&Event::Still {
            address: "container_group.web".into(),
            phase: Phase::Create,
            elapsed: Duration::from_secs(10),
        });
        progress.event(&completed("container_group.web"));
        progress.finish();
        assert_eq!(
            lines,
            [
                "container_group.web: Creating...",
                "container_group.web: Still creating... [00m10s elapsed]",
                "container_group.web: Creation complete after 2s [id=/x]",
            ]
        );
    }

    #[test]
    fn the_live_view_shows_running_steps_and_clears_them() {
        let screen = Screen::default();
        let target = ProgressDrawTarget::term_like(Box::new(screen.clone()));
        let mut lines = Vec::new();
        let mut progress = Progress::new(Some(target), |l: &str| lines.push(l.to_string()));
        progress.event(&started("container_group.a"));
        progress.event(&started("container_group.b"));
        std::thread::sleep(TICK * 3);
        assert!(ACTIVE.lock().is_ok_and(|a| a.is_some()));
        // What is written meanwhile goes around the view, not through it.
        suspend(|| ());
        progress.event(&completed("container_group.a"));
        progress.event(&completed("container_group.b"));
        progress.finish();

        let drawn = screen.text();
        assert!(
            drawn.contains("container_group.a: Creating..."),
            "{drawn:?}"
        );
        assert!(
            drawn.contains("container_group.b: Creating..."),
            "{drawn:?}"
        );
        assert!(drawn.contains("\x1b[2K"), "the view is cleared: {drawn:?}");
        assert_eq!(lines.len(), 4, "{lines:?}");
        assert!(ACTIVE.lock().is_ok_and(|a| a.is_none()));
    }
}
