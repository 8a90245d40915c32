//! The `gloss` binary: the command line and `gloss serve`, without the GUI
//! libraries. Asked for the window, it becomes `gloss-desktop` (see
//! [`gloss::window`]).

use std::process::ExitCode;

fn main() -> ExitCode {
    gloss::main(gloss::window::exec_desktop)
}
