//! Another machine on the network, for `gloss serve --host 0.0.0.0`: a
//! network namespace joined to this one by a veth pair, each end with an
//! address in a private /30, and `curl` run inside it.
//!
//! Creating one needs root and `ip` (iproute2); [`OtherMachine::create`]
//! says why it can not when either is missing. Names and the subnet are
//! new for each one, so tests running at once do not meet, and dropping it
//! removes the namespace and the link even when the test failed.

use std::net::Ipv4Addr;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};

pub struct OtherMachine {
    namespace: String,
    /// Our end of the veth pair; its peer is in the namespace.
    link: String,
    /// Our address, as the other machine reaches us.
    pub here: Ipv4Addr,
}

/// Tells apart the machines one test process creates.
static CREATED: AtomicU32 = AtomicU32::new(0);

impl OtherMachine {
    /// `Err` says why no namespace can be made here (not root, no `ip`).
    pub fn create() -> Result<OtherMachine, String> {
        let root = std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m)).ok() == Some(0);
        if !root {
            return Err("creating a network namespace needs root".into());
        }
        if Command::new("ip").arg("-V").output().is_err() {
            return Err("`ip` (iproute2) is not installed".into());
        }
        let n = CREATED.fetch_add(1, Ordering::SeqCst);
        let id = format!("{}{n}", std::process::id());
        // Interface names have at most 15 bytes.
        let (namespace, link, peer) = (format!("gloss-test-{id}"), format!("gl{id}a"), format!("gl{id}b"));
        let here = free_subnet();
        let there = Ipv4Addr::from(u32::from(here) + 1);
        let machine = OtherMachine { namespace, link, here };
        // From here on, dropping `machine` cleans up whatever was made.
        machine.ip(&["netns", "add", &machine.namespace]);
        machine.ip(&["link", "add", &machine.link, "type", "veth", "peer", "name", &peer]);
        machine.ip(&["link", "set", &peer, "netns", &machine.namespace]);
        machine.ip(&["addr", "add", &format!("{here}/30"), "dev", &machine.link]);
        machine.ip(&["link", "set", &machine.link, "up"]);
        let there = format!("{there}/30");
        for args in
            [["addr", "add", &there, "dev", &peer], ["link", "set", &peer, "up", ""], ["link", "set", "lo", "up", ""]]
        {
            let mut inside = vec!["netns", "exec", &machine.namespace, "ip"];
            inside.extend(args.into_iter().filter(|arg| !arg.is_empty()));
            machine.ip(&inside);
        }
        Ok(machine)
    }

    /// Runs `curl` with `args` on the other machine; returns the HTTP status
    /// and the body.
    pub fn curl(&self, args: &[&str]) -> (u16, String) {
        let output = Command::new("ip")
            .args(["netns", "exec", &self.namespace, "curl", "--silent", "--show-error", "--max-time", "30"])
            .args(["--write-out", "\n%{http_code}"])
            .args(args)
            .output()
            .expect("ip netns exec runs");
        let out = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(output.status.success(), "curl {args:?} failed: {}{out}", String::from_utf8_lossy(&output.stderr));
        let (body, status) = out.rsplit_once('\n').unwrap_or(("", &out));
        (status.trim().parse().unwrap_or(0), body.to_owned())
    }

    /// Runs `ip ARGS`; panics with its output if it fails.
    fn ip(&self, args: &[&str]) -> Output {
        let output = Command::new("ip").args(args).output().expect("ip runs");
        assert!(output.status.success(), "ip {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        output
    }
}

impl Drop for OtherMachine {
    fn drop(&mut self) {
        // Deleting the namespace deletes the peer, and with it our end; the
        // second delete is for a namespace that never got the peer.
        let _ = Command::new("ip").args(["netns", "delete", &self.namespace]).output();
        let _ = Command::new("ip").args(["link", "delete", &self.link]).output();
    }
}

/// The first address of a /30 in 10.231.0.0/16 that no interface here
/// uses yet, picked at random so that runs at once rarely try the same.
fn free_subnet() -> Ipv4Addr {
    for _ in 0..100 {
        let subnet = Ipv4Addr::new(10, 231, fastrand::u8(..), fastrand::u8(..64) * 4);
        let taken = Command::new("ip").args(["-4", "addr", "show", "to", &format!("{subnet}/30")]).output();
        if taken.is_ok_and(|out| out.status.success() && out.stdout.is_empty()) {
            return Ipv4Addr::from(u32::from(subnet) + 1);
        }
    }
    panic!("no free /30 in 10.231.0.0/16");
}
