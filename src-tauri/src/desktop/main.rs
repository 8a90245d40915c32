//! `gloss-desktop`, the desktop window: the same `ui/` as the browser,
//! talking through Tauri commands that forward to [`gloss_api::Api`].
//!
//! The one program here that links Tauri, GTK and WebKit. `gloss` starts it
//! (exec, same process) when a window is asked for, and it reads the same
//! command line with the same definition (`gloss::cli`), so any other
//! command given to it runs as `gloss` would run it.

mod links;
mod menu;
mod pick;

use gloss::cli::Error;
use gloss::link::Link;
use gloss_api::{Api, ApiError};
use gloss_core::events::{Caller, Door};
use serde_json::Value;
use std::process::ExitCode;
use std::sync::Arc;
use tauri::{Emitter, Manager};

/// Tauri's event name for API events; the UI listens to it.
const EVENT: &str = "gloss://event";

/// Forwards one API request. Async, so storage work never runs on the main
/// thread and the window never freezes on a slow query.
#[tauri::command]
async fn call(
    api: tauri::State<'_, Arc<Api>>,
    request: Value,
    client: Option<String>,
) -> Result<gloss_api::Answer, ApiError> {
    api.call(gloss_api::Request::from_value(request)?, Caller::client(Door::Desktop, client.as_deref())).await
}

/// Version and where Gloss keeps its files, for the About box.
#[tauri::command]
async fn about(api: tauri::State<'_, Arc<Api>>) -> Result<gloss_api::Answer, ApiError> {
    api.call(gloss_api::Request::Health {}, Caller::door(Door::Desktop)).await
}

fn main() -> ExitCode {
    gloss::main(run)
}

/// Opens the window, or hands `link` to the one already open.
fn run(open: gloss_core::OpenOptions, link: Option<Link>) -> Result<ExitCode, Error> {
    // Plugins start in `build`, the single-instance one first: a second
    // Gloss hands its arguments (a gloss:// link, say) to the running one
    // there and exits. So the data folder, which the running one holds,
    // is opened only after.
    let app = with_commands(tauri::Builder::default())
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| links::focus(app)))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .setup(move |app| {
            app.set_menu(menu::build(app.handle())?)?;
            links::open_window(app.handle(), link.as_ref())?;
            Ok(())
        })
        .build(tauri::generate_context!())?;
    links::follow(app.handle());
    let api = Arc::new(Api::open(open)?);
    let (local, mut files) = gloss::serve::local_channel(&api).unzip();
    forward_events(app.handle().clone(), api.subscribe());
    if let Some(local) = local {
        let api = Arc::clone(&api);
        tauri::async_runtime::spawn(async move {
            if let Err(err) = local.serve(api).await {
                eprintln!("gloss: other gloss commands can not reach this window: {err}");
            }
        });
    }
    app.manage(api);
    app.run(move |_, event| {
        // The one way out, whether the last window was closed or Quit
        // chosen (menu::quit closes the windows): every write was
        // committed before it was answered, so only the local channel's
        // files are left to remove. Tauri ends the process after this
        // event: nothing is dropped on the way out.
        if let tauri::RunEvent::Exit = event {
            files.take();
        }
    });
    Ok(ExitCode::SUCCESS)
}

/// Adds the commands, without plugins that need a real desktop: shared by
/// `run` and the mock-runtime tests, which then manage an [`Api`].
fn with_commands<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![call, pick::pick, about]).on_menu_event(menu::on_event)
}

fn forward_events<R: tauri::Runtime>(app: tauri::AppHandle<R>, mut events: tokio::sync::broadcast::Receiver<Value>) {
    tauri::async_runtime::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    let _ = app.emit(EVENT, event);
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let _ = app.emit(EVENT, serde_json::json!({ "type": "resync" }));
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use tauri::ipc::{CallbackFn, InvokeBody};
    use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
    use tauri::webview::InvokeRequest;

    fn invoke(request: Value) -> Result<Value, Value> {
        let data = tempfile::tempdir().expect("temp dir");
        let options = gloss_core::OpenOptions { data_dir: Some(data.path().to_owned()), ..Default::default() };
        let app = with_commands(mock_builder())
            .manage(Arc::new(Api::open(options).expect("api opens")))
            .build(mock_context(noop_assets()))
            .expect("mock app builds");
        let webview =
            tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("mock window opens");
        let response = get_ipc_response(
            &webview,
            InvokeRequest {
                cmd: "call".into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().expect("valid url"),
                body: InvokeBody::Json(json!({ "request": request })),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        );
        response.map(|body| body.deserialize::<Value>().expect("json answer"))
    }

    #[test]
    fn call_forwards_a_request_to_the_api() {
        let answer = invoke(json!({ "op": "health" })).expect("health answers");
        assert_eq!(answer["ok"], true);
    }

    #[test]
    fn call_rejects_an_unknown_operation_with_a_typed_error() {
        let err = invoke(json!({ "op": "drop_everything" })).expect_err("unknown op is refused");
        assert_eq!(err["kind"], "invalid_input");
    }
}
