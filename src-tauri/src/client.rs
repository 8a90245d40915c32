//! How the command line and `gloss mcp` reach Gloss: through the Gloss that
//! holds the data folder when one runs (the desktop window or `gloss
//! serve`, over [`gloss_api::local`]), else by opening the data folder in
//! this process. Either way a request is a `gloss_api::Request` in its JSON
//! form, answered by `Api::call` for the client's door, so the rules, the
//! answers and the events are the same, and every change is told to the
//! windows as made through that door. Free of Tauri, so that a command line
//! binary without the window can take it as it is.

use crate::cli::Error;
use gloss_api::local::{self, Unreachable};
use gloss_api::{Answer, Api, Request};
use gloss_core::events::{Caller, Door};
use gloss_core::OpenOptions;
use serde_json::Value;
use std::path::PathBuf;

pub struct Client {
    data_dir: PathBuf,
    options: OpenOptions,
    /// The door every request comes through: the command line or `gloss mcp`.
    door: Door,
    /// The data folder opened here, once no running Gloss answered.
    here: Option<Api>,
}

impl Client {
    /// A client for the data folder `options` name, asking as `door`.
    /// Nothing is opened yet: the first call finds out whether a Gloss is
    /// running there.
    pub fn new(options: OpenOptions, door: Door) -> Result<Client, Error> {
        let data_dir = gloss_core::config::data_dir(options.data_dir.as_deref())?;
        let options = OpenOptions { data_dir: Some(data_dir.clone()), watch: false, ..options };
        Ok(Client { data_dir, options, door, here: None })
    }

    /// Answers `request` (`{"op": ..., "args": ...}`) with the answer's
    /// JSON text; an error is the API's, with its message for the user.
    pub fn call(&mut self, request: Value) -> Result<Answer, Error> {
        if self.here.is_none() {
            match local::call(&self.data_dir, self.door, &request) {
                Ok(answered) => return Ok(answered?),
                Err(Unreachable::NoInstance) => {}
                Err(refused) => return Err(refused.into()),
            }
        }
        let here = match self.here.take() {
            Some(here) => here,
            // Without watching: a few requests, then exit or `release`.
            None => Api::open(self.options.clone())?,
        };
        let here = self.here.insert(here);
        let request = Request::from_value(request)?;
        Ok(here.call_blocking(request, Caller::door(self.door))?)
    }

    /// Closes the data folder if it was opened here, so that a Gloss (the
    /// window, `gloss serve`) can open it: a client that stays running
    /// (`gloss mcp`) must not keep it from the user. The next call asks a
    /// running Gloss again, or opens the folder again.
    pub fn release(&mut self) {
        self.here = None;
    }
}
