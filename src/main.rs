use clap::Parser;

// The system allocator showed as ~12% of a dashboard request (many small rows and strings).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    trellis::telemetry::init();
    let cli = trellis::cli::Cli::parse();
    match trellis::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // The whole cause chain on one line, without a backtrace: this is for people.
            eprintln!("trellis: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
