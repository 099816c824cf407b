//! The kinds' registry: its tables agree with each other.

use super::{ListKind, Tab};
use crate::protocol::Service;
use crate::rows::Record;

/// The registry's tables agree: each kind's tab shows it, each tab shows a kind, and each
/// kind's records say the same kind back.
#[test]
fn the_registry_tables_agree() {
    for k in ListKind::ALL {
        let (tab, dir) = k.place();
        assert_eq!(ListKind::of(tab, dir.unwrap_or(Service::Core)), k, "{k:?}");
        assert_eq!(
            tab.service(dir.unwrap_or(Service::Core)),
            dir.unwrap_or(tab.service(Service::Core))
        );
        let named = with_kind!(k, |K| K::KIND);
        assert!(!named.is_empty() && !with_kind!(k, |K| K::columns()).is_empty());
    }
    for t in Tab::ALL {
        assert!(
            ListKind::ALL.iter().any(|k| k.place().0 == t),
            "{t:?} lists nothing"
        );
    }
    let mut palette: Vec<_> = ListKind::ALL.iter().map(|k| k.palette_name()).collect();
    palette.sort();
    palette.dedup();
    assert_eq!(palette.len(), ListKind::ALL.len());
}
