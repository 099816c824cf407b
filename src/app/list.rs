//! A list screen's state: loaded rows, filter, sort, selection and server paging. Filtering
//! and sorting work on index vectors; rows are never copied.

use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config as MatchConfig, Matcher, Utf32Str};

use std::borrow::Cow;

use crate::api::maarch::MaarchUser;
use crate::api::model::{Equipement, Role, SiteSummary, User};
use crate::api::ocean::Individu;

/// A column of a list screen.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub title: &'static str,
    /// Minimum width; the last growing column takes the rest.
    pub width: u16,
    pub numeric: bool,
    /// Takes a share of the spare width.
    pub grow: bool,
}

const fn col(title: &'static str, width: u16) -> Column {
    Column {
        title,
        width,
        numeric: false,
        grow: false,
    }
}

const fn wide(title: &'static str, width: u16) -> Column {
    Column {
        title,
        width,
        numeric: false,
        grow: true,
    }
}

const fn num(title: &'static str, width: u16) -> Column {
    Column {
        title,
        width,
        numeric: true,
        grow: false,
    }
}

/// What a list screen needs of a record.
pub trait Record: Clone + Send + 'static {
    const COLUMNS: &'static [Column];
    fn cells(&self) -> Vec<String>;
    /// The record's identity (for upserts and keeping the selection).
    fn key(&self) -> Cow<'_, str>;
    /// How the record is named in a confirmation ("site LOUM").
    fn label(&self) -> String;
    /// What is odd about the row as the server sent it (kept and marked).
    fn problem(&self) -> Option<&str> {
        None
    }
}

fn coord(v: Option<f64>) -> String {
    v.map(|f| format!("{f:.4}")).unwrap_or_default()
}

impl Record for SiteSummary {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    const COLUMNS: &'static [Column] = &[
        wide("Name", 16),
        wide("Client", 18),
        col("Latitude", 9),
        col("Longitude", 10),
        num("Equip.", 6),
        col("Created", 16),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.client
                .as_ref()
                .map(|c| c.nom.clone())
                .unwrap_or_default(),
            coord(self.latitude),
            coord(self.longitude),
            self.equipement_count.to_string(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.site_id)
    }
    fn label(&self) -> String {
        format!("site {}", self.name)
    }
}

impl Record for Equipement {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    const COLUMNS: &'static [Column] = &[
        col("IP", 15),
        num("Port", 5),
        col("Brand", 10),
        wide("Model", 16),
        wide("Site", 12),
        wide("Sources", 20),
        col("Created", 16),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.ip.to_string(),
            self.port.map(|p| p.to_string()).unwrap_or_default(),
            self.marque.to_string(),
            self.modele.to_string(),
            self.client_site
                .as_ref()
                .map(|s| s.name.clone())
                .unwrap_or_default(),
            self.sources.joined(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.equipement_id)
    }
    fn label(&self) -> String {
        match self.port {
            Some(p) => format!(
                "equipement {}:{} ({} {})",
                self.ip, p, self.marque, self.modele
            ),
            None => format!("equipement {}", self.ip),
        }
    }
}

impl Record for User {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    const COLUMNS: &'static [Column] = &[
        num("Matricule", 9),
        wide("Name", 20),
        wide("Email", 24),
        col("Role", 12),
        col("Status", 11),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.matricule.map(|m| m.to_string()).unwrap_or_default(),
            self.nom.clone(),
            self.email.clone(),
            self.role_name.clone(),
            self.status.clone(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.user_id)
    }
    fn label(&self) -> String {
        format!("user {} ({})", self.nom, self.email)
    }
}

impl Record for Role {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    const COLUMNS: &'static [Column] = &[
        col("Name", 14),
        wide("Description", 30),
        num("Permissions", 11),
        col("Created", 16),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.description.clone(),
            self.permissions.len().to_string(),
            self.timestamp
                .as_ref()
                .map(|t| t.short())
                .unwrap_or_default(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.role_id)
    }
    fn label(&self) -> String {
        format!("role {}", self.name)
    }
}

impl Record for Individu {
    const COLUMNS: &'static [Column] = &[
        num("Id", 5),
        wide("Last name", 14),
        wide("First name", 12),
        col("Matricule", 10),
        col("Mobile", 17),
        wide("Entity", 16),
        col("Login", 12),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id().map(|i| i.to_string()).unwrap_or_default(),
            self.nom(),
            self.prenom(),
            self.matricule(),
            self.text("individu.gsm"),
            self.entite_nom(),
            self.login(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Owned(self.id().map(|i| i.to_string()).unwrap_or_default())
    }
    fn label(&self) -> String {
        format!("individu {} {}", self.prenom(), self.nom())
    }
}

impl Record for MaarchUser {
    fn problem(&self) -> Option<&str> {
        self.problem.as_deref()
    }
    const COLUMNS: &'static [Column] = &[
        num("Id", 5),
        col("Login", 14),
        wide("First name", 14),
        wide("Last name", 14),
        wide("Email", 22),
        col("Status", 9),
        col("Mode", 14),
    ];
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.user_id.clone(),
            self.firstname.clone(),
            self.lastname.clone(),
            self.mail.clone().unwrap_or_default(),
            self.status_label().to_string(),
            self.mode.clone(),
        ]
    }
    fn key(&self) -> Cow<'_, str> {
        Cow::Owned(self.id.to_string())
    }
    fn label(&self) -> String {
        format!(
            "Maarch user {} ({} {})",
            self.user_id, self.firstname, self.lastname
        )
    }
}

/// Server paging of a list (only for routes that page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: u32,
    pub pages: u32,
    pub total: u64,
    pub size: u32,
}

impl Default for Paging {
    fn default() -> Self {
        Paging {
            page: 1,
            pages: 1,
            total: 0,
            size: 50,
        }
    }
}

/// Filters kept for narrowing and for Backspace (each at most 8 bytes a matching row).
const FILTER_STEPS: usize = 8;
/// Rows below which one thread matches them all.
const PARALLEL_MIN_ROWS: usize = 8_192;
/// Rows a filter tries first when it runs within a time budget, whatever the budget: a list
/// this short is always filtered at once. The next slices are sized on the time this one took.
const FIRST_SLICE_ROWS: usize = 4_096;
/// Below this many rows left in the budget, a slice waits for the next call.
const MIN_SLICE_ROWS: usize = 256;

/// A filter being matched a slice at a time (long lists), its rows so far in item order.
struct FilterRun {
    filter: String,
    pattern: Pattern,
    /// Rows to try (item order); `None`: every row.
    candidates: Option<Vec<u32>>,
    /// Position in the candidates (or rows) of the next row to try.
    next: usize,
    found: Vec<(u32, u32)>,
}

impl FilterRun {
    fn total(&self, rows: usize) -> usize {
        self.candidates.as_ref().map_or(rows, Vec::len)
    }

    /// Rows a filter extending this one need try: the matches so far, then the rows not
    /// tried yet (both in item order, the first all before the second).
    fn narrowed(self, rows: usize) -> Vec<u32> {
        let mut out: Vec<u32> = self.found.iter().map(|m| m.0).collect();
        match &self.candidates {
            Some(c) => out.extend_from_slice(&c[self.next..]),
            None => out.extend(self.next as u32..rows as u32),
        }
        out
    }
}

/// Every row's searchable text in one buffer, rows one after the other: a filter reads them
/// in order through contiguous memory (as 100,000 boxes, mimalloc spread them over pages by
/// size, and a keystroke over every row took up to twice as long), and they take one
/// allocation instead of one a row. Replaced and removed rows leave their text behind until
/// it outweighs the live text.
#[derive(Default)]
struct Haystacks {
    /// Text of the ASCII rows (nearly all, accents folded), a byte a character.
    ascii: Vec<u8>,
    /// Text of the other rows, a `char` a character.
    wide: Vec<char>,
    /// Each row's start and length in `ascii`, or in `wide` when `wide` is set.
    rows: Vec<Hay>,
    /// Characters no row points at any more.
    dead: usize,
}

#[derive(Clone, Copy)]
struct Hay {
    start: u32,
    len: u32,
    wide: bool,
}

impl Haystacks {
    fn len(&self) -> usize {
        self.rows.len()
    }

    fn get(&self, i: usize) -> Option<Utf32Str<'_>> {
        let h = self.rows.get(i)?;
        let (from, to) = (h.start as usize, h.start as usize + h.len as usize);
        Some(if h.wide {
            Utf32Str::Unicode(&self.wide[from..to])
        } else {
            Utf32Str::Ascii(&self.ascii[from..to])
        })
    }

    /// Appends `text`, returning where it went. Past 4 GiB of text (offsets are `u32`) a
    /// row gets an empty haystack: unsearchable rather than wrong.
    fn store(&mut self, text: Utf32Str<'_>) -> Hay {
        let (used, wide) = match text {
            Utf32Str::Ascii(_) => (self.ascii.len(), false),
            Utf32Str::Unicode(_) => (self.wide.len(), true),
        };
        let fits = u32::try_from(used)
            .ok()
            .zip(u32::try_from(text.len()).ok())
            .filter(|(start, len)| start.checked_add(*len).is_some());
        let Some((start, len)) = fits else {
            return Hay {
                start: 0,
                len: 0,
                wide: false,
            };
        };
        match text {
            Utf32Str::Ascii(b) => self.ascii.extend_from_slice(b),
            Utf32Str::Unicode(c) => self.wide.extend_from_slice(c),
        }
        Hay { start, len, wide }
    }

    /// `store` for a row's text: ASCII as it is, any other a `char` a character.
    fn store_str(&mut self, text: &str) -> Hay {
        if text.is_ascii() {
            self.store(Utf32Str::Ascii(text.as_bytes()))
        } else {
            let chars: Vec<char> = text.chars().collect();
            self.store(Utf32Str::Unicode(&chars))
        }
    }

    fn push(&mut self, text: &str) {
        let h = self.store_str(text);
        self.rows.push(h);
    }

    fn set(&mut self, i: usize, text: &str) {
        if i >= self.rows.len() {
            return;
        }
        let h = self.store_str(text);
        self.dead += self.rows[i].len as usize;
        self.rows[i] = h;
        self.compact();
    }

    fn remove(&mut self, i: usize) {
        if i < self.rows.len() {
            self.dead += self.rows.remove(i).len as usize;
        }
        self.compact();
    }

    /// Drops the dead text once it outweighs the live text.
    fn compact(&mut self) {
        let live = self.ascii.len() + self.wide.len() - self.dead;
        if self.dead < 4096 || self.dead < live {
            return;
        }
        let old = std::mem::take(self);
        for i in 0..old.len() {
            let kept = old.get(i).map(|text| self.store(text));
            self.rows.extend(kept);
        }
    }
}

impl<'a, T: Record + 'a> FromIterator<&'a T> for Haystacks {
    fn from_iter<I: IntoIterator<Item = &'a T>>(rows: I) -> Self {
        let mut h = Haystacks::default();
        let mut text = String::new();
        for r in rows {
            text.clear();
            haystack(r, &mut text);
            h.push(&text);
        }
        h.ascii.shrink_to_fit();
        h.wide.shrink_to_fit();
        h
    }
}

pub struct ListView<T: Record> {
    pub items: Vec<T>,
    /// Searchable text of each item (its cells, joined by a space, accents folded), built
    /// once per load in a form the matcher reads as it is: a keystroke converts nothing. Every
    /// character is kept (nucleo's own strings keep one a grapheme), so a highlight's
    /// positions fall on the cell's characters even after combining marks.
    haystacks: Haystacks,
    /// Indices of `items` shown, after filter and sort.
    pub view: Vec<usize>,
    pub selected: usize,
    pub offset: usize,
    pub filter: String,
    pub filtering: bool,
    pub sort: Option<(usize, bool)>,
    pub paging: Option<Paging>,
    /// Every page is loaded: the list is local and complete.
    pub complete: bool,
    pub loading: bool,
    pub loaded_once: bool,
    /// Id of the request whose answer this list waits for; others are stale.
    pub pending: Option<u64>,
    /// Rows with a problem (undecodable or odd), shown marked.
    pub odd: usize,
    /// Filters applied since the rows last changed, each extending the one before, with the
    /// rows each matched (item order) and their scores: a key typed at the end of the filter
    /// only re-matches the rows the filter kept, and Backspace finds its answer here.
    steps: Vec<(String, Vec<(u32, u32)>)>,
    /// Every item index in the order of a sort column (ascending), made when it is chosen.
    sorted: Option<(usize, Vec<u32>)>,
    /// The filter's pattern and a matcher, for the highlights of the rows drawn.
    highlighter: std::sync::Mutex<Option<(String, Pattern, Box<Matcher>)>>,
    /// The filter still being matched, when it did not fit in its time budget.
    run: Option<FilterRun>,
}

impl<T: Record> Default for ListView<T> {
    fn default() -> Self {
        ListView {
            items: Vec::new(),
            haystacks: Haystacks::default(),
            view: Vec::new(),
            selected: 0,
            offset: 0,
            filter: String::new(),
            filtering: false,
            sort: None,
            paging: None,
            complete: false,
            loading: false,
            loaded_once: false,
            pending: None,
            odd: 0,
            steps: Vec::new(),
            sorted: None,
            highlighter: std::sync::Mutex::new(None),
            run: None,
        }
    }
}

/// Whether every row matching `new` also matches `old`, so `new` need only be tried on the
/// rows `old` kept: `new` extends `old` and uses none of the operators (`!` negation, `^`
/// `$` anchors, `'` substring, `\` escape) that can widen a match when text is appended.
fn narrows(old: &str, new: &str) -> bool {
    new.len() > old.len()
        && new.starts_with(old)
        && !old.trim().is_empty()
        && !new.contains(['!', '^', '$', '\'', '\\'])
}

/// The rows among `candidates[range]` (or the rows in `range`) whose haystack matches, with
/// their scores, in item order. Large ranges are split between the machine's cores.
fn match_rows(
    haystacks: &Haystacks,
    pattern: &Pattern,
    candidates: Option<&[u32]>,
    range: std::ops::Range<usize>,
) -> Vec<(u32, u32)> {
    let threads = if range.len() < PARALLEL_MIN_ROWS {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |p| p.get().min(8))
    };
    match_rows_on(haystacks, pattern, candidates, range, threads)
}

fn match_rows_on(
    haystacks: &Haystacks,
    pattern: &Pattern,
    candidates: Option<&[u32]>,
    range: std::ops::Range<usize>,
    threads: usize,
) -> Vec<(u32, u32)> {
    // Whether each atom's needle is compared after normalising the haystack ("e" finds "é"),
    // as `Pattern::parse` decided with `Normalization::Smart`.
    let normalize: Vec<bool> = pattern
        .atoms
        .iter()
        .map(|a| match a.needle_text() {
            Utf32Str::Ascii(_) => true,
            Utf32Str::Unicode(cs) => cs.iter().all(|&c| nucleo_matcher::chars::normalize(c) == c),
        })
        .collect();
    // What each part needs is allocated here, on the calling thread, and only filled on the
    // others: a thread made for one keystroke that allocated its own matcher (its scoring
    // matrices) and results got fresh pages from mimalloc each time and left them behind when
    // it ended, which made keystrokes 2 to 3 times slower than with glibc's allocator.
    let run = |range: std::ops::Range<usize>, matcher: &mut Matcher, out: &mut Vec<(u32, u32)>| {
        for k in range {
            let i = candidates.map_or(k as u32, |c| c[k]);
            let Some(hay) = haystacks.get(i as usize) else {
                continue;
            };
            if let Some(s) = score(pattern, &normalize, hay, matcher) {
                out.push((i, s));
            }
        }
    };
    let mut first = Matcher::new(MatchConfig::DEFAULT);
    if threads <= 1 {
        let mut out = Vec::new();
        run(range, &mut first, &mut out);
        return out;
    }
    let (from, to) = (range.start, range.end);
    let chunk = range.len().div_ceil(threads);
    let part = |t: usize| (from + t * chunk).min(to)..(from + (t + 1) * chunk).min(to);
    let mut parts: Vec<(Matcher, Vec<(u32, u32)>)> = (1..threads)
        .map(|t| {
            (
                Matcher::new(MatchConfig::DEFAULT),
                Vec::with_capacity(part(t).len()),
            )
        })
        .collect();
    let mut out = Vec::with_capacity(range.len());
    std::thread::scope(|s| {
        let run = &run;
        let others: Vec<_> = parts
            .iter_mut()
            .enumerate()
            .map(|(t, (matcher, found))| s.spawn(move || run(part(t + 1), matcher, found)))
            .collect();
        run(part(0), &mut first, &mut out);
        for h in others {
            if let Err(panic) = h.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
    for (_, found) in &parts {
        out.extend_from_slice(found);
    }
    out
}

/// A row's score for `pattern`, `None` when it does not match: `Pattern::score`, except that
/// fuzzy atoms of more than one character are scored on nucleo's greedy alignment (linear in
/// the row's length) rather than the optimal one (quadratic): on 100,000 rows of 100 to 200
/// characters the optimal alignment costs 5 to 10 times more, for an order that differs only
/// among weak, scattered matches. Which rows match is the same either way; highlights still
/// show the optimal alignment.
fn score(pattern: &Pattern, normalize: &[bool], hay: Utf32Str<'_>, m: &mut Matcher) -> Option<u32> {
    let mut total = 0u32;
    for (atom, &normalize) in pattern.atoms.iter().zip(normalize) {
        let needle = atom.needle_text();
        let s = if atom.kind == AtomKind::Fuzzy && !atom.negative && needle.len() > 1 {
            m.config.ignore_case = true;
            m.config.normalize = normalize;
            m.fuzzy_match_greedy(hay, needle)?
        } else {
            atom.score(hay, m)?
        };
        total += u32::from(s);
    }
    Some(total)
}

/// Item indices by descending score; equal scores keep item (server) order. A counting sort:
/// scores are small integers.
fn best_first(matches: &[(u32, u32)]) -> Vec<usize> {
    let max = matches.iter().map(|m| m.1).max().unwrap_or(0) as usize;
    if max > 1 << 20 {
        let mut v = matches.to_vec();
        v.sort_by_key(|m| std::cmp::Reverse(m.1));
        return v.into_iter().map(|m| m.0 as usize).collect();
    }
    // Slots of each score, highest first.
    let mut start = vec![0usize; max + 2];
    for m in matches {
        start[max - m.1 as usize + 1] += 1;
    }
    for s in 1..start.len() {
        start[s] += start[s - 1];
    }
    let mut out = vec![0usize; matches.len()];
    for m in matches {
        let slot = &mut start[max - m.1 as usize];
        out[*slot] = m.0 as usize;
        *slot += 1;
    }
    out
}

impl<T: Record> ListView<T> {
    /// Replaces the rows, keeping the selection on the same record when it is still there.
    pub fn set_items(&mut self, items: Vec<T>) {
        let keep = self.selected_item().map(|r| r.key().into_owned());
        self.haystacks = items.iter().collect();
        self.items = items;
        self.count_odd();
        self.rows_changed();
        self.loaded_once = true;
        self.loading = false;
        self.refresh_view();
        if let Some(id) = keep
            && let Some(pos) = self.view.iter().position(|&i| self.items[i].key() == id)
        {
            self.selected = pos;
        }
        self.clamp();
    }

    fn count_odd(&mut self) {
        self.odd = self.items.iter().filter(|r| r.problem().is_some()).count();
    }

    /// Forgets what was worked out from the rows (filter steps, sort order).
    fn rows_changed(&mut self) {
        self.steps.clear();
        self.sorted = None;
        self.run = None;
    }

    pub fn selected_item(&self) -> Option<&T> {
        self.view
            .get(self.selected)
            .and_then(|&i| self.items.get(i))
    }

    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// Gets the filter's matching ready: answered from the steps when it can be, else a run
    /// is started (or the one under way kept, when it is this filter's).
    fn prepare_filter(&mut self) {
        if self.filter.trim().is_empty() {
            self.steps.clear();
            self.run = None;
            return;
        }
        let filter = self.filter.as_str();
        if self.run.as_ref().is_some_and(|r| r.filter == filter) {
            return;
        }
        // Keep the chain of filters this one extends (or is).
        self.steps.retain(|(s, _)| filter.starts_with(s.as_str()));
        let run = self.run.take();
        if self.steps.last().is_some_and(|(s, _)| s == filter) {
            return;
        }
        // Trailing blanks change nothing (unless the last one is escaped).
        let trimmed = filter.trim_end();
        if trimmed != filter
            && !trimmed.ends_with('\\')
            && let Some(m) = self
                .steps
                .iter()
                .find(|(s, _)| s == trimmed)
                .map(|(_, m)| m.clone())
        {
            self.push_step(filter.to_string(), m);
            return;
        }
        let candidates = match run {
            // A filter still running that this one extends: its matches so far and the
            // rows it has not tried.
            Some(r) if narrows(&r.filter, filter) => Some(r.narrowed(self.haystacks.len())),
            _ => self
                .steps
                .iter()
                .rev()
                .find(|(s, _)| narrows(s, filter))
                .map(|(_, m)| m.iter().map(|m| m.0).collect()),
        };
        self.run = Some(FilterRun {
            filter: filter.to_string(),
            pattern: parse_filter(filter),
            candidates,
            next: 0,
            found: Vec::new(),
        });
    }

    fn push_step(&mut self, filter: String, matches: Vec<(u32, u32)>) {
        if self.steps.len() == FILTER_STEPS {
            self.steps.remove(0);
        }
        self.steps.push((filter, matches));
    }

    /// Matches the running filter's rows, a slice at a time, until they are all tried or
    /// `budget` is spent (`None`: to the end). A first slice is always matched; the next ones
    /// are sized to fit what is left of the budget at the pace measured so far.
    fn advance_filter(&mut self, budget: Option<std::time::Duration>) {
        let started = std::time::Instant::now();
        let mut tried = 0usize;
        let mut slice = if budget.is_some() {
            FIRST_SLICE_ROWS
        } else {
            usize::MAX
        };
        while let Some(run) = &mut self.run {
            let total = run.total(self.haystacks.len());
            let end = run.next.saturating_add(slice).min(total);
            let part = match_rows(
                &self.haystacks,
                &run.pattern,
                run.candidates.as_deref(),
                run.next..end,
            );
            run.found.extend(part);
            tried += end - run.next;
            run.next = end;
            if end == total {
                if let Some(run) = self.run.take() {
                    self.push_step(run.filter, run.found);
                }
                return;
            }
            let Some(b) = budget else { continue };
            let spent = started.elapsed();
            let left = b.saturating_sub(spent);
            // Rows that fit in what is left, at this call's pace, with a margin.
            let per_row = spent.as_secs_f64() / tried.max(1) as f64;
            slice = (left.as_secs_f64() * 0.8 / per_row.max(1e-9)) as usize;
            if slice < MIN_SLICE_ROWS {
                return;
            }
        }
    }

    /// The rows matching the filter so far with their scores (item order), or `None`
    /// without a filter.
    fn matches(&self) -> Option<&[(u32, u32)]> {
        if let Some(run) = &self.run {
            return Some(&run.found);
        }
        if self.filter.trim().is_empty() {
            return None;
        }
        self.steps.last().map(|(_, m)| m.as_slice())
    }

    /// A filter is still being matched: rows shown are those found so far.
    pub fn filter_pending(&self) -> bool {
        self.run.is_some()
    }

    /// How far the running filter is, in rows tried and rows to try.
    pub fn filter_progress(&self) -> Option<(usize, usize)> {
        self.run
            .as_ref()
            .map(|r| (r.next, r.total(self.haystacks.len())))
    }

    /// Item indices in the order of sort column `col` (ascending; ties in item order).
    fn sort_order(&mut self, col: usize) -> &[u32] {
        if self.sorted.as_ref().is_none_or(|(c, _)| *c != col) {
            let numeric = T::COLUMNS.get(col).is_some_and(|c| c.numeric);
            let mut order: Vec<u32> = (0..self.items.len() as u32).collect();
            let items = &self.items;
            order.sort_by_cached_key(|&i| {
                let cell = items[i as usize]
                    .cells()
                    .into_iter()
                    .nth(col)
                    .unwrap_or_default();
                let n = if numeric {
                    cell.parse::<f64>().ok()
                } else {
                    None
                };
                (
                    n.map(|f| (f * 1000.0) as i64).unwrap_or(i64::MIN),
                    cell.to_lowercase(),
                )
            });
            self.sorted = Some((col, order));
        }
        self.sorted.as_ref().map_or(&[], |(_, o)| o.as_slice())
    }

    /// Recomputes the shown rows from filter and sort.
    pub fn refresh_view(&mut self) {
        self.refresh_view_within(None);
    }

    /// Recomputes the shown rows, matching the filter for at most about `budget` (at least a
    /// slice of rows): past it the rows found so far are shown and `resume_filter` goes on.
    pub fn refresh_view_within(&mut self, budget: Option<std::time::Duration>) {
        self.prepare_filter();
        self.advance_filter(budget);
        self.build_view();
    }

    /// Goes on with a filter that did not fit in its budget; the view shows what is found.
    pub fn resume_filter(&mut self, budget: std::time::Duration) {
        if self.run.is_some() {
            self.advance_filter(Some(budget));
            self.build_view();
        }
    }

    fn build_view(&mut self) {
        let n = self.items.len();
        let sort = self.sort;
        let mut keep: Option<Vec<bool>> = None;
        let mut view: Vec<usize> = match self.matches() {
            // Best matches first.
            Some(m) if sort.is_none() => best_first(m),
            Some(m) => {
                let mut k = vec![false; n];
                for &(i, _) in m {
                    k[i as usize] = true;
                }
                keep = Some(k);
                Vec::new()
            }
            None if sort.is_none() => (0..n).collect(),
            None => Vec::new(),
        };
        if let Some((col, desc)) = sort {
            let order = self.sort_order(col);
            view = match &keep {
                Some(k) => order
                    .iter()
                    .filter(|&&i| k[i as usize])
                    .map(|&i| i as usize)
                    .collect(),
                None => order.iter().map(|&i| i as usize).collect(),
            };
            if desc {
                view.reverse();
            }
        }
        self.view = view;
        self.clamp();
    }

    /// Character positions of the filter's match in each cell of a row (for highlighting).
    pub fn highlights(&self, row: usize) -> Vec<Vec<usize>> {
        let Some(&i) = self.view.get(row) else {
            return Vec::new();
        };
        if self.filter.trim().is_empty() {
            return vec![Vec::new(); T::COLUMNS.len()];
        }
        self.highlights_for(row, &self.items[i].cells())
    }

    /// `highlights` for a row whose cells the caller has already built (a frame draws them).
    pub fn highlights_for(&self, row: usize, cells: &[String]) -> Vec<Vec<usize>> {
        let Some(&i) = self.view.get(row) else {
            return Vec::new();
        };
        if self.filter.trim().is_empty() {
            return vec![Vec::new(); cells.len()];
        }
        let mut out = vec![Vec::new(); cells.len()];
        let Some(hay) = self.haystacks.get(i) else {
            return out;
        };
        let mut idx = Vec::new();
        {
            // One pattern and matcher for every row drawn, not one a row.
            let mut hl = self.highlighter.lock().unwrap_or_else(|e| e.into_inner());
            if hl.as_ref().is_none_or(|(f, _, _)| *f != self.filter) {
                let pattern = parse_filter(&self.filter);
                *hl = Some((
                    self.filter.clone(),
                    pattern,
                    Box::new(Matcher::new(MatchConfig::DEFAULT)),
                ));
            }
            let Some((_, pattern, matcher)) = hl.as_mut() else {
                return out;
            };
            if pattern.indices(hay.slice(..), matcher, &mut idx).is_none() {
                return out;
            }
        }
        idx.sort_unstable();
        idx.dedup();
        // Map haystack char positions back onto cells (joined with one space).
        let mut start = 0usize;
        for (c, cell) in cells.iter().enumerate() {
            let len = cell.chars().count();
            out[c] = idx
                .iter()
                .map(|&p| p as usize)
                .filter(|&p| p >= start && p < start + len)
                .map(|p| p - start)
                .collect();
            start += len + 1;
        }
        out
    }

    pub fn clamp(&mut self) {
        if self.view.is_empty() {
            self.selected = 0;
            self.offset = 0;
        } else if self.selected >= self.view.len() {
            self.selected = self.view.len() - 1;
        }
        if self.offset > self.selected {
            self.offset = self.selected;
        }
    }

    /// Keeps the selection inside a viewport of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        let max_offset = self.view.len().saturating_sub(h);
        self.offset = self.offset.min(max_offset);
    }

    pub fn move_by(&mut self, delta: isize) {
        if self.view.is_empty() {
            return;
        }
        let last = self.view.len() as isize - 1;
        self.selected = (self.selected as isize + delta).clamp(0, last) as usize;
    }

    pub fn first(&mut self) {
        self.selected = 0;
    }

    pub fn last(&mut self) {
        self.selected = self.view.len().saturating_sub(1);
    }

    /// Removes a record (after a delete) without reloading.
    pub fn remove(&mut self, id: &str) {
        if let Some(pos) = self.items.iter().position(|r| r.key() == id) {
            self.items.remove(pos);
            self.haystacks.remove(pos);
            self.count_odd();
            self.rows_changed();
            if let Some(p) = &mut self.paging {
                p.total = p.total.saturating_sub(1);
            }
            self.refresh_view();
        }
    }

    /// Inserts or replaces a record (after a save), selecting it.
    pub fn upsert(&mut self, rec: T) {
        let mut hay = String::new();
        haystack(&rec, &mut hay);
        let id = rec.key().into_owned();
        match self.items.iter().position(|r| r.key() == id) {
            Some(pos) => {
                self.items[pos] = rec;
                self.haystacks.set(pos, &hay);
            }
            None => {
                self.items.push(rec);
                self.haystacks.push(&hay);
                if let Some(p) = &mut self.paging {
                    p.total += 1;
                }
            }
        }
        self.count_odd();
        self.rows_changed();
        self.refresh_view();
        if let Some(pos) = self.view.iter().position(|&i| self.items[i].key() == id) {
            self.selected = pos;
        }
        // The saved row may sort above the rows in view: keep it visible.
        self.clamp();
    }

    /// Cycles the sort column: none → each column ascending → descending → none.
    pub fn cycle_sort(&mut self) {
        let n = T::COLUMNS.len();
        self.sort = match self.sort {
            None => Some((0, false)),
            Some((c, false)) => Some((c, true)),
            Some((c, true)) if c + 1 < n => Some((c + 1, false)),
            Some(_) => None,
        };
        self.refresh_view();
    }
}

/// A record's searchable text: its cells joined by a space, accents folded (`É` → `E`, one
/// character for one, so positions still fall on the cells). Folded, nearly every row is
/// ASCII and kept a byte a character instead of four.
fn haystack<T: Record>(r: &T, text: &mut String) {
    // Folded while joined: one string a row, not a joined one and then its folded copy.
    for (i, cell) in r.cells().iter().enumerate() {
        if i > 0 {
            text.push(' ');
        }
        text.extend(folded(cell));
    }
}

/// Accents folded as in the haystacks: the filter `bép` and `bep` both find `BÉPANDA`.
pub fn fold(s: &str) -> String {
    folded(s).collect()
}

fn folded(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().map(nucleo_matcher::chars::normalize)
}

/// The filter as a pattern over folded haystacks.
fn parse_filter(filter: &str) -> Pattern {
    Pattern::parse(&fold(filter), CaseMatching::Ignore, Normalization::Smart)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(ip: &str, marque: &str) -> Equipement {
        Equipement {
            equipement_id: ip.into(),
            ip: ip.into(),
            marque: marque.into(),
            port: Some(80),
            ..Default::default()
        }
    }

    #[test]
    fn filter_sort_select_and_highlight() {
        let mut l = ListView::<Equipement>::default();
        l.set_items(vec![
            eq("10.2.0.17", "Axis"),
            eq("10.1.0.1", "Hikvision"),
            eq("1.1.1.1", "mmmm"),
        ]);
        l.selected = 2;
        l.filter = "hik".into();
        l.refresh_view();
        assert_eq!(l.len(), 1);
        assert_eq!(l.selected, 0, "selection stays inside the list");
        assert_eq!(l.selected_item().unwrap().ip, "10.1.0.1");
        let h = l.highlights(0);
        assert_eq!(h[2], vec![0, 1, 2]);
        l.filter.clear();
        l.refresh_view();
        l.cycle_sort();
        let ips: Vec<&str> = l.view.iter().map(|&i| l.items[i].ip.as_str()).collect();
        assert_eq!(ips, ["1.1.1.1", "10.1.0.1", "10.2.0.17"]);
        l.remove("10.1.0.1");
        assert_eq!(l.len(), 2);
        l.last();
        l.scroll_into_view(1);
        assert_eq!(l.offset, 1);
    }

    /// Rows of varied text: brands, models, sites with accents, digits everywhere.
    fn varied(n: usize) -> Vec<Equipement> {
        let brands = ["Hikvision", "Dahua", "Axis", "Cisco", "HID", "ZKTeco"];
        let models = [
            "DS-2CD2143G2-I",
            "NVR4216-16P",
            "P3245-LVE",
            "2960X-24PS-L",
            "inBio460",
        ];
        let sites = [
            "BÉPANDA",
            "AKWA",
            "CITÉ DES PALMIERS",
            "PK14",
            "NGOA-EKELLÉ",
            "BASTOS",
        ];
        (0..n)
            .map(|i| Equipement {
                equipement_id: format!("id-{i}"),
                ip: format!("10.{}.{}.{}", i % 7, (i / 7) % 13, i % 250).into(),
                marque: brands[i % brands.len()].into(),
                modele: models[(i / 3) % models.len()].into(),
                port: Some([554, 80, 8000, 22][i % 4]),
                sources: crate::api::model::Sources(vec![format!(
                    "rtsp://10.{}.0.{}:554/",
                    i % 5,
                    i % 9
                )]),
                client_site: Some(std::sync::Arc::new(crate::api::model::SiteRef {
                    name: sites[(i / 2) % sites.len()].into(),
                    ..Default::default()
                })),
                ..Default::default()
            })
            .collect()
    }

    /// The view a list shows for `filter` and `sort` when worked out from scratch.
    fn fresh(items: &[Equipement], filter: &str, sort: Option<(usize, bool)>) -> Vec<usize> {
        let mut l = ListView::<Equipement> {
            sort,
            filter: filter.to_string(),
            ..Default::default()
        };
        l.set_items(items.to_vec());
        l.view
    }

    #[test]
    fn typing_narrowing_and_backspace_agree_with_a_fresh_filter() {
        let items = varied(400);
        for sort in [None, Some((0, false)), Some((2, true))] {
            for typed in [
                "hik", "10.1", "dahua b", "bép", "bep", "!hik", "a$", "^10", "'ds", "pk 14",
                "cité", "x\\ y", "  h", "hikz",
            ] {
                let mut l = ListView::<Equipement> {
                    sort,
                    ..Default::default()
                };
                l.set_items(items.clone());
                let mut f = String::new();
                for c in typed.chars() {
                    f.push(c);
                    l.filter = f.clone();
                    l.refresh_view();
                    assert_eq!(
                        l.view,
                        fresh(&items, &f, sort),
                        "typing {f:?} sort {sort:?}"
                    );
                }
                while f.pop().is_some() {
                    l.filter = f.clone();
                    l.refresh_view();
                    assert_eq!(l.view, fresh(&items, &f, sort), "erasing to {f:?}");
                }
            }
        }
    }

    #[test]
    fn haystacks_keep_each_row_through_replacements_removals_and_compaction() {
        fn text(h: &Haystacks, i: usize) -> String {
            match h.get(i).expect("row") {
                Utf32Str::Ascii(b) => String::from_utf8(b.to_vec()).unwrap(),
                Utf32Str::Unicode(c) => c.iter().collect(),
            }
        }
        let mut h = Haystacks::default();
        let mut want: Vec<String> = Vec::new();
        for i in 0..300 {
            let t = if i % 7 == 0 {
                format!("caméra {i} 日本")
            } else {
                format!("10.0.{i}.1 hikvision")
            };
            h.push(&t);
            want.push(t);
        }
        // Enough replacements and removals to compact more than once.
        for round in 0..40 {
            for i in (round % 5..want.len()).step_by(5) {
                let t = format!("row {i} round {round} {}", "x".repeat(round));
                h.set(i, &t);
                want[i] = t;
            }
            let gone = (round * 13) % want.len();
            h.remove(gone);
            want.remove(gone);
            assert_eq!(h.len(), want.len());
            for (i, t) in want.iter().enumerate() {
                assert_eq!(&text(&h, i), t, "row {i} after round {round}");
            }
        }
        let live: usize = want.iter().map(|t| t.chars().count()).sum();
        assert!(
            h.ascii.len() + h.wide.len() <= 2 * live + 4096,
            "dead text is dropped"
        );
        assert!(h.get(want.len()).is_none());
    }

    #[test]
    fn parallel_matching_keeps_item_order() {
        let items = varied(1000);
        let hay: Haystacks = items.iter().collect();
        for p in ["1", "hik", "10.3", "é"] {
            let pattern = parse_filter(p);
            let one = match_rows_on(&hay, &pattern, None, 0..hay.len(), 1);
            assert!(!one.is_empty(), "{p}");
            let rows: Vec<u32> = one.iter().map(|m| m.0).collect();
            for threads in [2, 3, 7] {
                assert_eq!(
                    match_rows_on(&hay, &pattern, None, 0..hay.len(), threads),
                    one,
                    "{p} on {threads}"
                );
                let narrowed = match_rows_on(&hay, &pattern, Some(&rows), 0..rows.len(), threads);
                assert_eq!(narrowed, one, "{p} on its own matches");
                // Two ranges, one after the other, give the whole.
                let mid = hay.len() / 3;
                let mut parts = match_rows_on(&hay, &pattern, None, 0..mid, threads);
                parts.extend(match_rows_on(&hay, &pattern, None, mid..hay.len(), threads));
                assert_eq!(parts, one, "{p} in two ranges on {threads}");
            }
        }
    }

    #[test]
    fn a_filter_over_its_budget_goes_on_slice_by_slice_and_ends_as_a_fresh_one() {
        let items = varied(3 * FIRST_SLICE_ROWS + 100);
        let none = Some(std::time::Duration::ZERO);
        for sort in [None, Some((1, true))] {
            // The views worked out at once, on a list of their own.
            let mut reference = ListView::<Equipement> {
                sort,
                ..Default::default()
            };
            reference.set_items(items.clone());
            let mut fresh = |f: &str| {
                reference.filter = f.into();
                reference.refresh_view();
                reference.view.clone()
            };
            let mut l = ListView::<Equipement> {
                sort,
                ..Default::default()
            };
            l.set_items(items.clone());
            // A zero budget matches one slice a call.
            l.filter = "10.1".into();
            l.refresh_view_within(none);
            assert!(l.filter_pending());
            assert_eq!(l.filter_progress(), Some((FIRST_SLICE_ROWS, items.len())));
            let done: std::collections::HashSet<usize> = fresh("10.1").into_iter().collect();
            assert!(!l.view.is_empty());
            assert!(
                l.view.iter().all(|i| done.contains(i)),
                "partial rows match"
            );
            // A key typed meanwhile narrows from what was found and what was not tried.
            l.filter = "10.1.".into();
            l.refresh_view_within(none);
            assert!(l.filter_pending());
            let mut slices = 1;
            while l.filter_pending() {
                let before = l.view.len();
                l.resume_filter(std::time::Duration::ZERO);
                assert!(l.view.len() >= before, "the view only grows");
                slices += 1;
                assert!(slices < 10, "the filter ends");
            }
            assert_eq!(l.view, fresh("10.1."), "sort {sort:?}");
            // Backspace while a filter runs: the earlier filter's answer, at once.
            l.filter = "10.1.2".into();
            l.refresh_view_within(none);
            assert!(l.filter_pending());
            l.filter = "10.1.".into();
            l.refresh_view_within(none);
            assert!(!l.filter_pending());
            assert_eq!(l.view, fresh("10.1."));
            // No budget: done in one call.
            l.filter = "hik".into();
            l.refresh_view();
            assert!(!l.filter_pending());
            assert_eq!(l.view, fresh("hik"));
            // Rows replaced mid-run: the run is dropped and the filter applied to the new rows.
            l.filter = "dahua".into();
            l.refresh_view_within(none);
            assert!(l.filter_pending());
            l.set_items(items[..500].to_vec());
            assert!(!l.filter_pending());
            let mut small = ListView::<Equipement> {
                sort,
                filter: "dahua".into(),
                ..Default::default()
            };
            small.set_items(items[..500].to_vec());
            assert_eq!(l.view, small.view);
        }
    }

    #[test]
    fn accents_are_folded_both_ways_and_highlights_stay_on_the_cells() {
        let items = varied(60);
        let mut l = ListView::<Equipement>::default();
        l.set_items(items);
        let mut seen = Vec::new();
        for f in ["bép", "bep", "BEP", "BÉP", "ngoa-ekelle", "cite des"] {
            l.filter = f.into();
            l.refresh_view();
            assert!(!l.view.is_empty(), "{f}");
            seen.push(l.view.clone());
            let site = l.items[l.view[0]].cells()[4].clone();
            let marks = &l.highlights(0)[4];
            assert!(!marks.is_empty(), "{f} marks the site");
            let marked: String = marks.iter().filter_map(|&p| site.chars().nth(p)).collect();
            assert_eq!(
                fold(&marked).to_lowercase(),
                fold(f).to_lowercase().replace(' ', "")
            );
        }
        assert!(
            seen[..4].iter().all(|v| *v == seen[0]),
            "same rows with or without accents"
        );
        // Folded, the haystacks are ASCII: a byte a character.
        assert!(l.haystacks.wide.is_empty());
        assert!(
            (0..l.haystacks.len()).all(|i| matches!(l.haystacks.get(i), Some(Utf32Str::Ascii(_))))
        );
    }

    #[test]
    fn best_first_is_a_stable_sort_by_descending_score() {
        let m = vec![(0, 5), (1, 9), (2, 5), (3, 0), (4, 9), (5, 7)];
        assert_eq!(best_first(&m), [1, 4, 5, 0, 2, 3]);
        let big = vec![(0, 3 << 21), (1, 1), (2, 3 << 21)];
        assert_eq!(best_first(&big), [0, 2, 1]);
        assert!(best_first(&[]).is_empty());
    }

    #[test]
    fn rows_changed_forget_the_filter_steps() {
        let mut l = ListView::<Equipement>::default();
        l.set_items(varied(50));
        l.filter = "hik".into();
        l.refresh_view();
        let before = l.len();
        l.upsert(Equipement {
            equipement_id: "new".into(),
            marque: "Hikvision".into(),
            ..Default::default()
        });
        assert_eq!(l.len(), before + 1);
        l.remove("new");
        assert_eq!(l.len(), before);
        l.filter = "hikv".into();
        l.refresh_view();
        assert_eq!(l.view, fresh(&l.items, "hikv", None));
    }
}
