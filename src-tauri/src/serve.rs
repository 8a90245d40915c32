//! `gloss serve`: the UI and API over HTTP, and the local channel for the
//! command line.

use crate::cli::Error;
use gloss_api::guard::Guard;
use gloss_api::local::{ChannelFiles, LocalChannel};
use gloss_api::Api;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 4747)]
    port: u16,
    /// Address to listen on. Anything but loopback needs a token.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Access token for a non-loopback address (one is generated if absent).
    #[arg(long, env = "GLOSS_TOKEN")]
    token: Option<String>,
}

/// Serves until SIGINT or SIGTERM, then closes: event streams end, reads
/// stop, the answers still going out get a moment ([`gloss_api::http::serve`]),
/// and Gloss closes last (see below).
pub fn run(open: gloss_core::OpenOptions, args: ServeArgs) -> Result<ExitCode, Error> {
    let runtime = tokio::runtime::Runtime::new()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(SocketAddr::new(args.host, args.port)))
        .map_err(|err| format!("can not listen on {}:{}: {err}", args.host, args.port))?;
    let addr = listener.local_addr()?;
    let guard = Guard::for_bind(addr, args.token);
    // Bound to every address, the server is opened by one of the machine's.
    let urls: Vec<String> = gloss_api::guard::urls_for(addr)
        .into_iter()
        .map(|url| match guard.token() {
            Some(token) => format!("{url}?token={token}"),
            None => url,
        })
        .collect();
    let api = Arc::new(Api::open(open)?);
    let (http_api, local_api) = (Arc::clone(&api), Arc::clone(&api));
    let local = local_channel(&api);
    match urls.split_first() {
        Some((first, others)) => {
            println!("Gloss is serving at {first}");
            for other in others {
                println!("  also at {other}");
            }
        }
        None => println!("Gloss is serving at http://{addr}/ (this machine's addresses could not be listed)"),
    }
    let served = runtime.block_on(async move {
        let listening = async move {
            match local {
                // The files go when this future is dropped, once serving ends.
                Some((channel, _files)) => channel.serve(local_api).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            served = gloss_api::http::serve(listener, http_api, guard, shutdown_signal()) => served,
            listening = listening => listening,
        }
    });
    // Dropping the runtime waits for the work still running on its blocking
    // pool (a write finishing) and drops every task holding the API, so
    // this is the last handle: Gloss closes here, on this thread, before
    // the process exits (the export a change still waits for, the database
    // checkpointed and closed).
    drop(runtime);
    drop(api);
    served?;
    eprintln!("gloss: stopped");
    Ok(ExitCode::SUCCESS)
}

/// The local channel, the way in for the other `gloss` commands while this
/// one holds the data folder. Without it (a data folder path too long for
/// a socket, say) Gloss still runs; those commands then say it is running.
pub fn local_channel(api: &Api) -> Option<(LocalChannel, ChannelFiles)> {
    LocalChannel::bind(api.data_dir())
        .map_err(|err| eprintln!("gloss: {err}; other gloss commands can not use this data folder while it runs"))
        .ok()
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
