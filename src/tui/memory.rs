//! The console's memory given back to the system: at once as it is freed, and after the
//! answers that run to tens of megabytes.

/// mimalloc returns freed memory to the system a little after it is freed, when the
/// allocator is next used: after a big answer the console goes idle and would keep the
/// body's pages resident. Done now instead.
pub(super) fn give_back_freed_memory() {
    // SAFETY: mi_collect has no preconditions; it only walks mimalloc's own structures.
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, `mimalloc.h`; the crate
/// names no constant for it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed pages go back to the system when they are freed, not a second later (mimalloc 3's
/// default) when their thread next allocates: a load's records and pages are freed on
/// threads that then sleep, and stayed resident (100,000 equipements loaded: 5 MB held for
/// nothing). The console only: a server's pages are reused at once.
pub(super) fn purge_freed_memory_at_once() {
    // SAFETY: sets one of mimalloc's integer options; nothing else is touched.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

#[cfg(test)]
mod tests {
    /// `PURGE_DELAY` names mimalloc's purge delay (its default: 1,000 ms in mimalloc 3, 10 in
    /// mimalloc 2), and the console's setting is what mimalloc then holds.
    #[test]
    fn the_console_purges_freed_memory_at_once() {
        use libmimalloc_sys::mi_option_get;
        // SAFETY: reads one of mimalloc's integer options.
        let default = unsafe { mi_option_get(super::PURGE_DELAY) };
        assert!(matches!(default, 10 | 1000), "{default}");
        super::purge_freed_memory_at_once();
        // SAFETY: as above.
        assert_eq!(unsafe { mi_option_get(super::PURGE_DELAY) }, 0);
    }
}
