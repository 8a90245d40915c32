//! Running part of a test as an ordinary user, so that file permissions
//! apply: the tests run as root here, and root reads every file whatever
//! its mode. The test binary runs itself again, only the one test, in a
//! child process that dropped to user `nobody`; an environment variable
//! tells the child which side it is and where its folder is.

use std::os::unix::fs::MetadataExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Set in the child: the folder it works in.
const CHILD_ENV: &str = "GLOSS_TEST_UNPRIVILEGED_DIR";
/// User and group `nobody`.
const NOBODY: u32 = 65534;

/// Where this process works, when it is the unprivileged child.
pub fn child_dir() -> Option<PathBuf> {
    std::env::var_os(CHILD_ENV).map(PathBuf::from)
}

/// Runs `body` on a folder of its own as a user permissions apply to: in
/// this process when it is not root, else in a child process as `nobody`
/// that runs `test` (this test's name) again and calls `body` there (the
/// test calls `body` itself when [`child_dir`] is set). Panics with the
/// child's output if it failed; `Err` says why it could not be run here.
pub fn run(test: &str, body: fn(&Path)) -> Result<(), String> {
    let dir = tempfile::TempDir::new().map_err(|e| format!("no temp folder: {e}"))?;
    let am_root = std::fs::metadata("/proc/self").map_err(|e| format!("can not tell who runs this: {e}"))?.uid() == 0;
    if !am_root {
        body(dir.path());
        return Ok(());
    }
    std::os::unix::fs::chown(dir.path(), Some(NOBODY), Some(NOBODY))
        .map_err(|e| format!("can not give {} to nobody: {e}", dir.path().display()))?;
    // The binary may sit where nobody can not reach it (a home folder): a
    // link (or copy) in the child's own folder can be reached.
    let exe = std::env::current_exe().map_err(|e| format!("can not find the test binary: {e}"))?;
    let own = dir.path().join("test-binary");
    std::fs::hard_link(&exe, &own)
        .or_else(|_| std::fs::copy(&exe, &own).map(drop))
        .map_err(|e| format!("can not place the test binary in {}: {e}", dir.path().display()))?;
    let work = dir.path().join("work");
    std::fs::create_dir(&work).map_err(|e| format!("can not create {}: {e}", work.display()))?;
    std::os::unix::fs::chown(&work, Some(NOBODY), Some(NOBODY))
        .map_err(|e| format!("can not give {} to nobody: {e}", work.display()))?;
    let output = Command::new(&own)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, &work)
        .uid(NOBODY)
        .gid(NOBODY)
        .output()
        .map_err(|e| format!("can not run the test as nobody: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A filter that matched nothing would pass without running anything.
    assert!(stdout.contains("1 passed") || !output.status.success(), "the child ran no test:\n{stdout}");
    assert!(output.status.success(), "the test failed as nobody:\n{stdout}\n{stderr}");
    println!("{stdout}{stderr}");
    Ok(())
}
