//! The `feedmix` binary: parses arguments, starts the runtime and maps results to exit codes.

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use feedmix::cli::Cli;
use tracing_subscriber::EnvFilter;

/// jemalloc instead of the system allocator: about a tenth less CPU for an ingest (many small
/// allocations from several threads), a few MB more peak memory (BENCHMARKS.md, session 10).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.enable_all();
    if let Some(threads) = cli.runtime_threads() {
        runtime.worker_threads(threads);
    }
    let runtime = match runtime.build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("feedmix: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli.run()) {
        Ok(code) => code,
        Err(failure) => {
            eprintln!("feedmix: error: {:#}", failure.error);
            ExitCode::from(failure.code)
        }
    }
}
