//! Presses keys on the X display the way a keyboard does, for the desktop
//! tests (tests/desktop/*.mjs): WebDriver's key actions go straight into the
//! web page, so they never reach what GTK answers itself, the native menu
//! bar (F10) and the menu items' shortcuts (Ctrl+Q). This sends real key
//! events through the XTEST extension, with libxdo (the library behind
//! xdotool; Debian's libxdo-dev, which the Tauri build needs anyway).
//!
//! Usage: press-keys KEYS...
//! Each argument is one chord in xdotool's names ("ctrl+q", "F10", "Up",
//! "Return"), pressed and released in turn, or `--type=TEXT`, which types
//! TEXT (a path into a native file picker, say), to the window that has
//! the keyboard.

use std::process::ExitCode;

#[cfg(target_os = "linux")]
mod xdo {
    use std::ffi::{c_char, c_int, c_ulong, c_void, CString};

    #[link(name = "xdo")]
    extern "C" {
        fn xdo_new(display: *const c_char) -> *mut c_void;
        fn xdo_send_keysequence_window(xdo: *mut c_void, window: c_ulong, keys: *const c_char, delay: u32) -> c_int;
        fn xdo_enter_text_window(xdo: *mut c_void, window: c_ulong, text: *const c_char, delay: u32) -> c_int;
        fn xdo_free(xdo: *mut c_void);
    }

    /// libxdo's "the window that has focus" (CURRENTWINDOW in xdo.h).
    const CURRENT_WINDOW: c_ulong = 0;
    /// Microseconds between key events, as xdotool's default.
    const KEY_DELAY: u32 = 12_000;
    /// Microseconds between typed characters: slower, so that a GTK file
    /// picker's completion of a path keeps up with the typing.
    const TYPE_DELAY: u32 = 50_000;

    /// Presses each chord of `chords` in turn (or types the text of a
    /// `--type=TEXT`) on the display in $DISPLAY.
    pub fn press(chords: &[String]) -> Result<(), String> {
        // SAFETY: a null display name makes libxdo open $DISPLAY; the handle
        // is checked, used on this thread only and freed once.
        let handle = unsafe { xdo_new(std::ptr::null()) };
        if handle.is_null() {
            return Err("can not open the X display (is DISPLAY set?)".into());
        }
        let result = chords.iter().try_for_each(|chord| {
            let text = chord.strip_prefix("--type=");
            let keys = CString::new(text.unwrap_or(chord)).map_err(|_| format!("{chord:?} holds a NUL byte"))?;
            // SAFETY: `handle` is live and `keys` a NUL-terminated string that outlives the call.
            let failed = unsafe {
                match text {
                    Some(_) => xdo_enter_text_window(handle, CURRENT_WINDOW, keys.as_ptr(), TYPE_DELAY),
                    None => xdo_send_keysequence_window(handle, CURRENT_WINDOW, keys.as_ptr(), KEY_DELAY),
                }
            };
            match failed {
                0 => Ok(()),
                _ => Err(format!("could not press {chord:?}")),
            }
        });
        // SAFETY: `handle` came from xdo_new and is not used after this.
        unsafe { xdo_free(handle) };
        result
    }
}

#[cfg(not(target_os = "linux"))]
mod xdo {
    pub fn press(_: &[String]) -> Result<(), String> {
        Err("press-keys needs an X display (Linux)".into())
    }
}

fn main() -> ExitCode {
    let chords: Vec<String> = std::env::args().skip(1).collect();
    if chords.is_empty() {
        eprintln!("usage: press-keys KEYS... (xdotool key names, e.g. ctrl+q F10 Up Return, or --type=TEXT)");
        return ExitCode::from(2);
    }
    match xdo::press(&chords) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("press-keys: {err}");
            ExitCode::FAILURE
        }
    }
}
