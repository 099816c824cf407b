//! The UI's words in French and English, from one catalogue: the English text is the key, the
//! French one is looked up in `catalogue_fr.rs`. `tr` for fixed text, `trf` for text with `{}`
//! holes filled in order. A test checks that every text given to `tr`/`trf` has its French.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Fr,
}

impl Lang {
    /// From `LC_ALL`, `LC_MESSAGES`, then `LANG` (`fr_FR.UTF-8` → French); English otherwise.
    pub fn from_env() -> Lang {
        for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
            if let Ok(v) = std::env::var(var)
                && !v.is_empty()
            {
                return Lang::from_locale(&v);
            }
        }
        Lang::En
    }

    pub fn from_locale(v: &str) -> Lang {
        if v.to_ascii_lowercase().starts_with("fr") {
            Lang::Fr
        } else {
            Lang::En
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }
}

static GLOBAL: AtomicU8 = AtomicU8::new(0);

thread_local! {
    // Tests draw both languages side by side on their own threads.
    static OVERRIDE: Cell<Option<Lang>> = const { Cell::new(None) };
}

/// Sets the language of the whole process (at start).
pub fn set_lang(l: Lang) {
    GLOBAL.store(l as u8, Ordering::Relaxed);
}

/// Sets the language of this thread only (tests).
pub fn set_thread_lang(l: Option<Lang>) {
    OVERRIDE.with(|o| o.set(l));
}

pub fn lang() -> Lang {
    OVERRIDE.with(|o| o.get()).unwrap_or_else(|| {
        if GLOBAL.load(Ordering::Relaxed) == Lang::Fr as u8 {
            Lang::Fr
        } else {
            Lang::En
        }
    })
}

fn french() -> &'static HashMap<&'static str, &'static str> {
    static MAP: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    MAP.get_or_init(|| crate::catalogue_fr::FR.iter().copied().collect())
}

/// The text in the current language (unknown texts, like server words, stay as they are).
pub fn tr(en: &str) -> &str {
    match lang() {
        Lang::En => en,
        Lang::Fr => french().get(en).copied().unwrap_or(en),
    }
}

/// `tr` of a template, its `{}` holes filled in order.
pub fn trf(template: &str, args: &[&dyn std::fmt::Display]) -> String {
    let t = tr(template);
    let mut out = String::with_capacity(t.len() + 16);
    let mut args = args.iter();
    let mut rest = t;
    while let Some(i) = rest.find("{}") {
        out.push_str(&rest[..i]);
        if let Some(a) = args.next() {
            out.push_str(&a.to_string());
        }
        rest = &rest[i + 2..];
    }
    out.push_str(rest);
    out
}

/// The French catalogue, for checks.
pub fn catalogue() -> &'static [(&'static str, &'static str)] {
    crate::catalogue_fr::FR
}

/// The date style of the language (`2025-11-27` or `27/11/2025`), for `chrono::format`.
pub fn date_format() -> &'static str {
    match lang() {
        Lang::En => "%Y-%m-%d",
        Lang::Fr => "%d/%m/%Y",
    }
}

/// Date and minute in the language's style.
pub fn datetime_format() -> &'static str {
    match lang() {
        Lang::En => "%Y-%m-%d %H:%M",
        Lang::Fr => "%d/%m/%Y %H:%M",
    }
}

/// Whether French has its own text for this key (catalogue checks).
pub fn has_french(en: &str) -> bool {
    french().contains_key(en)
}

#[cfg(test)]
mod tests {
    use super::{Lang, set_thread_lang, tr, trf};

    #[test]
    fn lookup_fill_and_fallback() {
        set_thread_lang(Some(Lang::Fr));
        assert_eq!(tr("refresh"), "actualiser");
        assert_eq!(trf("Saved {}", &[&"site LOUM"]), "Enregistré : site LOUM");
        assert_eq!(tr("text from a server"), "text from a server");
        set_thread_lang(Some(Lang::En));
        assert_eq!(trf("Saved {}", &[&"x"]), "Saved x");
        set_thread_lang(None);
        assert_eq!(Lang::from_locale("fr_CA.UTF-8"), Lang::Fr);
        assert_eq!(Lang::from_locale("C.UTF-8"), Lang::En);
    }
}
