//! Files vigie keeps (drafts, the journal, tokens, views, exports): written for their owner
//! only, named per profile and server. Below every other module.

use std::io::Write;
use std::path::Path;

/// A server's origin (`https://host:port`), or the text as given when it is no URL.
pub fn origin(server: &str) -> String {
    match reqwest::Url::parse(server.trim()) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => server.trim().to_string(),
    }
}

/// The file name (no extension) of what is kept for a profile and a server: one per both, so
/// what was kept for one server is never used on another.
pub fn stem_for(profile: &str, server: &str) -> String {
    // FNV-1a of the origin: a short, stable file name.
    let hash = origin(server)
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let name: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{name}-{:08x}", hash as u32)
}

/// Writes a file only its owner can read (0600; a folder it creates is 0700), replacing it
/// atomically: a new file of this process's own, renamed over the old one.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    // A file left by a process that died here is ours to replace.
    let _ = std::fs::remove_file(&tmp);
    let mut f = opts.open(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}
