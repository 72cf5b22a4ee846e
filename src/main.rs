use clap::Parser;

fn main() -> anyhow::Result<()> {
    trellis::telemetry::init();
    let cli = trellis::cli::Cli::parse();
    trellis::cli::run(cli)
}
