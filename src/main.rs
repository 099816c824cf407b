// A loaded list is a million small strings: mimalloc packs them without glibc's 16-byte
// minimum and per-chunk header, and returns freed pages to the system.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vigie::cli::main()
}
