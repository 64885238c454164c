//! Files generated from the command-line definition: shell completions and man pages. Both come
//! from the same clap definition as `--help`, so they cannot drift from the binary.

use std::io::{self, Write};
use std::path::Path;

use clap::CommandFactory;
use clap_complete::Shell;

use super::{Args, CliError};

/// Writes the completion script for `shell`.
pub fn completions(shell: Shell, mut out: impl Write) -> io::Result<()> {
    let mut command = Args::command();
    clap_complete::generate(shell, &mut command, "ecs-diagnose", &mut out);
    out.flush()
}

/// Writes the man page to `out`, or every page (one per command) into `dir`.
pub fn man(dir: Option<&Path>, mut out: impl Write) -> Result<(), CliError> {
    match dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| CliError::Io(format!("cannot create `{}`", dir.display()), e))?;
            clap_mangen::generate_to(Args::command(), dir).map_err(|e| {
                CliError::Io(
                    format!("cannot write man pages into `{}`", dir.display()),
                    e,
                )
            })?;
            eprintln!("wrote man pages into {}", dir.display());
            Ok(())
        }
        None => {
            let write = |out: &mut dyn Write| -> io::Result<()> {
                clap_mangen::Man::new(Args::command()).render(out)?;
                out.flush()
            };
            write(&mut out).map_err(|e| CliError::Io("cannot write the output".into(), e))
        }
    }
}
