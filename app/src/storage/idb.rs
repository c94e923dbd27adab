//! A small typed wrapper over the browser's IndexedDB (web-sys), enough for the runs store:
//! open with the schema, put, get, delete and list by key. Each request becomes a future;
//! every failure comes back as words.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

/// The database name and schema version.
const DB_NAME: &str = "pixelgrad";
const DB_VERSION: u32 = 1;
/// Run records (JSON text) by run id.
pub const RUNS: &str = "runs";
/// Checkpoint bytes (`.pixelgrad` files) by `<run id>/<slot>`.
pub const CHECKPOINTS: &str = "checkpoints";

/// What the page says when the browser refuses a write for lack of space: what happened,
/// that nothing kept was touched (the write was refused as a whole), and what to do.
pub const STORAGE_FULL: &str = "The browser's storage for this site is full, so the latest \
    save was refused. Runs and checkpoints already kept are unharmed. To make room, delete old \
    runs in the Runs gallery (export any you want to keep as .pixelgrad files first).";

fn words(what: &str, e: JsValue) -> String {
    let exception = e.dyn_ref::<web_sys::DomException>();
    if exception.is_some_and(|d| d.name() == "QuotaExceededError") {
        return STORAGE_FULL.into();
    }
    let reason = exception
        .map(|d| d.message())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "no reason given".into());
    format!("the browser's storage could not {what} ({reason})")
}

/// Whether `message` (from this module) says the storage is full.
pub fn is_full(message: &str) -> bool {
    message == STORAGE_FULL
}

/// Resolves when `request` succeeds (with its result) or fails.
async fn finish(request: &IdbRequest, what: &str) -> Result<JsValue, String> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let err = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = reject.call0(&JsValue::NULL);
        });
        request.set_onsuccess(Some(ok.unchecked_ref()));
        request.set_onerror(Some(err.unchecked_ref()));
    });
    match wasm_bindgen_futures::JsFuture::from(promise).await {
        Ok(_) => request.result().map_err(|e| words(what, e)),
        Err(_) => Err(words(
            what,
            request
                .error()
                .ok()
                .flatten()
                .map_or(JsValue::NULL, JsValue::from),
        )),
    }
}

/// Opens (creating or upgrading) the app's database.
pub async fn open() -> Result<IdbDatabase, String> {
    let factory = web_sys::window()
        .ok_or("no browser window")?
        .indexed_db()
        .map_err(|e| words("open", e))?
        .ok_or("this browser has no IndexedDB (private mode?), so runs are not kept")?;
    let request = factory
        .open_with_u32(DB_NAME, DB_VERSION)
        .map_err(|e| words("open", e))?;
    let upgrade = Closure::<dyn FnMut(web_sys::IdbVersionChangeEvent)>::new(
        move |e: web_sys::IdbVersionChangeEvent| {
            let db = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::IdbOpenDbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
            if let Some(db) = db {
                // Version 1 is the first schema: both stores are new. (A later version adds
                // its stores here, keyed on the old version.)
                for name in [RUNS, CHECKPOINTS] {
                    let _ = db.create_object_store(name);
                }
            }
        },
    );
    request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = finish(&request, "open").await;
    drop(upgrade);
    db?.dyn_into::<IdbDatabase>()
        .map_err(|_| "the browser's storage returned something that is not a database".into())
}

fn store(db: &IdbDatabase, name: &str, mode: IdbTransactionMode) -> Result<IdbObjectStore, String> {
    db.transaction_with_str_and_mode(name, mode)
        .and_then(|t| t.object_store(name))
        .map_err(|e| words("start a transaction", e))
}

/// Watches the read-write `transaction` from now on: the returned future resolves when it has
/// committed and fails when it aborts. A request's success is not enough: the browser may
/// still abort the transaction as it commits (a full quota is reported then), and a write is
/// only durable once committed. The handlers are set before this returns, so no event is missed.
fn committed(
    transaction: &IdbTransaction,
    what: &'static str,
) -> impl std::future::Future<Output = Result<(), String>> {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let ok = Closure::once_into_js(move |_: web_sys::Event| {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let failed = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
            let _ = reject.call0(&JsValue::NULL);
        })
        .into_js_value();
        transaction.set_oncomplete(Some(ok.unchecked_ref()));
        transaction.set_onabort(Some(failed.unchecked_ref()));
        transaction.set_onerror(Some(failed.unchecked_ref()));
    });
    let transaction = transaction.clone();
    async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => Ok(()),
            Err(_) => Err(words(
                what,
                transaction.error().map_or(JsValue::NULL, JsValue::from),
            )),
        }
    }
}

/// A read-write transaction on one store.
fn write_transaction(db: &IdbDatabase, name: &str) -> Result<IdbTransaction, String> {
    db.transaction_with_str_and_mode(name, IdbTransactionMode::Readwrite)
        .map_err(|e| words("start a transaction", e))
}

/// Stores `value` under `key` (replacing what was there), once the write has committed.
pub async fn put(db: &IdbDatabase, name: &str, key: &str, value: &JsValue) -> Result<(), String> {
    let transaction = write_transaction(db, name)?;
    let request = transaction
        .object_store(name)
        .and_then(|s| s.put_with_key(value, &JsValue::from_str(key)))
        .map_err(|e| words("save", e))?;
    let done = committed(&transaction, "save");
    // A refused request also aborts the transaction; its error is the more precise one.
    match finish(&request, "save").await {
        Ok(_) => done.await,
        Err(e) => {
            let _ = done.await;
            Err(e)
        }
    }
}

/// The value under `key`, if any.
pub async fn get(db: &IdbDatabase, name: &str, key: &str) -> Result<Option<JsValue>, String> {
    let request = store(db, name, IdbTransactionMode::Readonly)?
        .get(&JsValue::from_str(key))
        .map_err(|e| words("read", e))?;
    let value = finish(&request, "read").await?;
    Ok((!value.is_undefined()).then_some(value))
}

/// Removes `key`, once the removal has committed.
pub async fn delete(db: &IdbDatabase, name: &str, key: &str) -> Result<(), String> {
    let transaction = write_transaction(db, name)?;
    let request = transaction
        .object_store(name)
        .and_then(|s| s.delete(&JsValue::from_str(key)))
        .map_err(|e| words("delete", e))?;
    let done = committed(&transaction, "delete");
    match finish(&request, "delete").await {
        Ok(_) => done.await,
        Err(e) => {
            let _ = done.await;
            Err(e)
        }
    }
}

/// Every value of a store.
pub async fn all(db: &IdbDatabase, name: &str) -> Result<Vec<JsValue>, String> {
    let request = store(db, name, IdbTransactionMode::Readonly)?
        .get_all()
        .map_err(|e| words("list", e))?;
    let values = finish(&request, "list").await?;
    Ok(js_sys::Array::from(&values).iter().collect())
}
