//! The MCP side: rmcp's [`ServerHandler`], answering `tools/list` and
//! `tools/call` with [`super::tools`] and the [`Worker`]. It only carries
//! calls and answers: what a tool does is the API's.

use super::tools::{self, Effect, GlossTool};
use super::worker::Worker;
use crate::cli::Error;
use gloss_api::{Answer, ApiError};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool, ToolAnnotations,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;
use std::sync::Arc;

/// What the assistant is told about this server when it connects.
const INSTRUCTIONS: &str = "Gloss holds the user's library of podcast episode summaries (title, show, TL;DR, \
    sections of insights, bottom line) and what the user made of them: highlights, notes, tags and review \
    cards. Find episodes with search, read one with get_episode; list_highlights and list_notes show what the \
    user highlighted and wrote.";

pub struct GlossServer {
    gloss: Worker,
    /// `--allow-write`: the tools that change the library are offered.
    allow_write: bool,
}

impl GlossServer {
    pub fn new(gloss: Worker, allow_write: bool) -> GlossServer {
        GlossServer { gloss, allow_write }
    }

    fn offers(&self, tool: &GlossTool) -> bool {
        self.allow_write || tool.effect == Effect::Reads
    }

    /// Calls `tool`; every failure is the tool's (`isError`), with the
    /// API's message, so the assistant reads it and can tell the user.
    async fn call(&self, tool: &GlossTool, args: rmcp::model::JsonObject) -> CallToolResult {
        if !self.offers(tool) {
            return failed(&ApiError::forbidden(format!(
                "{} changes the Gloss library, and this gloss mcp only reads: restart it as \
                 `gloss mcp --allow-write` (in the assistant's MCP settings) to let assistants add \
                 highlights and notes",
                tool.name
            )));
        }
        let request = match tool.request(args) {
            Ok(request) => request,
            Err(refused) => return failed(&refused),
        };
        match self.gloss.call(request).await {
            Ok(answer) => answered(&answer),
            Err(err) => failed_with(&err),
        }
    }
}

impl ServerHandler for GlossServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("gloss", env!("CARGO_PKG_VERSION")).with_title("Gloss"))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _page: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let offered = tools::TOOLS.iter().filter(|tool| self.offers(tool)).map(describe).collect();
        Ok(ListToolsResult::with_all_items(offered))
    }

    async fn call_tool(
        &self,
        params: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(tool) = tools::find(&params.name) else {
            let names: Vec<&str> = tools::TOOLS.iter().filter(|tool| self.offers(tool)).map(|tool| tool.name).collect();
            return Err(ErrorData::invalid_params(
                format!("no tool named {:?}; Gloss's tools are {}", params.name, names.join(", ")),
                None,
            ));
        };
        Ok(self.call(tool, params.arguments.unwrap_or_default()).await.into())
    }
}

/// The tool as `tools/list` shows it, with hints on what it changes.
fn describe(tool: &GlossTool) -> Tool {
    let hints = ToolAnnotations::with_title(tool.title)
        .read_only(tool.effect == Effect::Reads)
        .destructive(tool.effect == Effect::Replaces)
        .idempotent(tool.effect != Effect::Adds)
        .open_world(false);
    Tool::new(tool.name, tool.description, Arc::new(tool.input_schema())).with_title(tool.title).annotate(hints)
}

/// A success: the answer's JSON as text, and as structured content when
/// it is an object (as every answer of these tools is).
fn answered(answer: &Answer) -> CallToolResult {
    let mut result = CallToolResult::success(vec![ContentBlock::text(answer.get())]);
    result.structured_content = serde_json::from_str::<Value>(answer.get()).ok().filter(Value::is_object);
    result
}

/// A failure of the call: the API's error when it is one, else the
/// message of what kept the call from Gloss (the data folder, the channel).
fn failed_with(err: &Error) -> CallToolResult {
    match err.downcast_ref::<ApiError>() {
        Some(refused) => failed(refused),
        None => CallToolResult::error(vec![ContentBlock::text(err.to_string())]),
    }
}

/// The API's error: its message as text, after the argument it is about,
/// and `{"error": {kind, message, field}}` as structured content.
fn failed(err: &ApiError) -> CallToolResult {
    let text = match err.field.as_deref() {
        Some(field) => format!("{}: {}", field.strip_prefix("args.").unwrap_or(field), err.message),
        None => err.message.clone(),
    };
    let mut result = CallToolResult::error(vec![ContentBlock::text(text)]);
    result.structured_content = Some(err.body());
    result
}
