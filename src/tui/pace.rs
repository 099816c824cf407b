//! How often progress alone redraws the console. A load of every equipement says how far it
//! is after each page: a thousand answers in half a second, each drawn, took the CPU the
//! pages' decoding needed (two cores shared with a local server). Progress is drawn at most
//! every `PROGRESS_EVERY`; anything else (a key, an answer, a tick) draws at once and takes
//! the progress with it.

use std::time::{Duration, Instant};

/// At most this often for progress alone: 20 frames a second.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
pub struct Pace {
    last_drawn: Option<Instant>,
    /// When progress not drawn yet is due.
    due: Option<Instant>,
}

impl Pace {
    /// Answers taken at `now`; `only_progress` when they said nothing but how far a load is.
    /// Whether to draw now.
    pub fn answers(&mut self, only_progress: bool, now: Instant) -> bool {
        if !only_progress {
            return true;
        }
        match self.last_drawn {
            Some(at) if now < at + PROGRESS_EVERY => {
                self.due.get_or_insert(at + PROGRESS_EVERY);
                false
            }
            _ => true,
        }
    }

    /// When progress held back is to be drawn.
    pub fn due(&self) -> Option<Instant> {
        self.due
    }

    /// A frame was drawn at `now`: whatever progress waited is in it.
    pub fn drawn(&mut self, now: Instant) {
        self.last_drawn = Some(now);
        self.due = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thousand progress answers a millisecond apart draw about once each 50 ms, the last
    /// one's frame never later than 50 ms after a frame; any other answer draws at once.
    #[test]
    fn progress_alone_draws_at_most_every_50_ms() {
        let start = Instant::now();
        let mut pace = Pace::default();
        let mut frames = 0;
        let mut now = start;
        for i in 0..1_000u64 {
            now = start + Duration::from_millis(i);
            if pace.due().is_some_and(|d| d <= now) || pace.answers(true, now) {
                pace.drawn(now);
                frames += 1;
            }
        }
        assert!((20..=21).contains(&frames), "{frames} frames in a second");
        // Progress held back is due within PROGRESS_EVERY of the last frame.
        if let Some(d) = pace.due() {
            assert!(d <= now + PROGRESS_EVERY);
        }
        assert!(
            pace.answers(false, now),
            "an answer that is not progress draws at once"
        );
        pace.drawn(now);
        assert_eq!(pace.due(), None);
        assert!(!pace.answers(true, now + Duration::from_millis(1)));
        assert_eq!(pace.due(), Some(now + PROGRESS_EVERY));
        assert!(pace.answers(true, now + PROGRESS_EVERY));
    }
}
