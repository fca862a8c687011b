//! `bulwark` — the command-line entry point: parses arguments and wires the crates together.

mod cli;
mod db;
mod exit;
mod output;
mod progress;
mod sources;
mod vulns;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    let code = match cli::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            exit::code_for(&err)
        }
    };
    std::process::exit(code);
}
