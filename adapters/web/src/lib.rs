//! # tinyim-web
//!
//! tinyim in a web page: the same sans-IO core as the firmware and the
//! desktop tools, driven by the same driver loop (`tinyim-driver`) over the
//! browser's WebSocket and timers, compiled to WebAssembly.
//!
//! The [`Session`] class is the low-level surface; `js/tim.js` wraps it in
//! TIM's JavaScript API (`TIM.create`, `tim.on(TIM.EVENT...)`,
//! `tim.login`, `createTextMessage` + `sendMessage`, ...) and
//! `js/tim.d.ts` declares it for TypeScript. The server's HTTP listener
//! takes the WebSocket at `/ws`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod conversation_calls;
mod draft;
#[cfg(feature = "friendship")]
mod friend_calls;
#[cfg(feature = "friendship")]
mod friend_object;
mod group_admin_calls;
mod group_calls;
mod host;
mod js_object;
mod media_calls;
mod message_calls;
mod presence_calls;
mod read;
mod socket;
mod storage;
mod user_calls;

use std::rc::Rc;

use js_sys::{Array, Function, Promise};
use tinyim_core::time::Instant;
use tinyim_core::wire::body::DeviceClass;
use tinyim_core::{Client, CommandError, Config, HostResources, RequestId};
use tinyim_driver::Clock;
use wasm_bindgen::prelude::*;

use crate::host::{Call, Command, Queue, Run, Started, WebHost};
use crate::storage::SyncStore;

/// One client of one server, as TIM's instance is: it owns the core and its
/// driver, which runs on the page's event loop until [`Session::destroy`].
/// Every call returns a promise; the core's events reach the `emit`
/// function given at creation as `emit(timEventName, data)`.
#[wasm_bindgen]
pub struct Session {
    queue: Rc<Queue>,
    store: Rc<SyncStore>,
}

#[wasm_bindgen]
impl Session {
    /// Starts a client of the server at `server` (`ws://host:port/ws` or
    /// `wss://...`). The sync state is kept in `localStorage` when
    /// `keep_sync_state` is true.
    #[wasm_bindgen(constructor)]
    pub fn new(server: String, emit: Function, keep_sync_state: bool) -> Session {
        let queue = Rc::new(Queue::default());
        let store = Rc::new(SyncStore::new(&server, keep_sync_state));
        let mut host = WebHost::new(queue.clone(), emit, store.clone());
        wasm_bindgen_futures::spawn_local(async move {
            let clock = clock::BrowserClock::new();
            let config = Config::new(DeviceClass::Web);
            let mut resources = Box::new(HostResources::new());
            let mut client = Client::new(&config, &mut resources, clock.now(), seed());
            let mut connector = socket::WebSocketConnector::new(server);
            tinyim_driver::run(&mut client, &mut connector, &clock, &mut host).await;
            host.close();
        });
        Session { queue, store }
    }

    /// TIM `login({userID, userSig})`: resolves once logged in, resuming
    /// from the sync state this page kept for the user, if any.
    pub fn login(&self, user_id: String, user_sig: String) -> Promise {
        let store = self.store.clone();
        self.request(host::Collect::Unit, move |client, now| {
            store.restore(client, &user_id);
            client.login(now, &user_id, &user_sig)
        })
    }

    /// TIM `logout()`.
    pub fn logout(&self) -> Promise {
        self.request(host::Collect::Unit, |client, now| client.logout(now))
    }

    /// TIM `destroy()`: ends the driver and closes the connection; pending
    /// promises are rejected with 2800.
    pub fn destroy(&self) {
        self.queue.push(Command::Stop);
    }

    /// TIM `isReady()`.
    #[wasm_bindgen(js_name = isReady)]
    pub fn is_ready(&self) -> Promise {
        self.value(|client| client.is_ready().into())
    }

    /// TIM `getLoginUser()`: the user id, or `""`.
    #[wasm_bindgen(js_name = getLoginUser)]
    pub fn login_user(&self) -> Promise {
        self.value(|client| client.login_user().unwrap_or("").into())
    }
}

impl Session {
    /// Queues `run` for the driver and returns the promise it settles.
    fn call(&self, run: Run) -> Promise {
        let mut run = Some(run);
        Promise::new(&mut |resolve, reject| {
            if let Some(run) = run.take() {
                self.queue.push(Command::Call(Call {
                    run,
                    resolve,
                    reject,
                }));
            }
        })
    }

    /// A call that is a request to the server, answered as `collect` says.
    fn request(
        &self,
        collect: host::Collect,
        start: impl for<'r, 's> FnOnce(&'s mut Client<'r>, Instant) -> Result<RequestId, CommandError>
            + 'static,
    ) -> Promise {
        self.call(Box::new(move |client, now| {
            start(client, now).map(|id| Started::Request(id, collect))
        }))
    }

    /// A call answered from the client's tables.
    fn value(&self, read: impl FnOnce(&Client<'_>) -> JsValue + 'static) -> Promise {
        self.call(Box::new(move |client, _| Ok(Started::Value(read(client)))))
    }
}

/// The conversation list as `getConversationList` and
/// `CONVERSATION_LIST_UPDATED` give it, in the list's order.
pub(crate) fn conversation_list(client: &Client<'_>) -> Array {
    let mut rows: Vec<_> = client.conversations().collect();
    rows.sort_by(|a, b| a.list_order(b));
    rows.into_iter()
        .map(|c| js_object::conversation(c, client.group(c.target())))
        .collect()
}

/// The seed of the core's randomness (client message ids, backoff jitter):
/// `Math.random` is enough, since nothing the seed makes is a secret.
fn seed() -> u64 {
    let high = (js_sys::Math::random() * f64::from(u32::MAX)) as u64;
    let low = (js_sys::Math::random() * f64::from(u32::MAX)) as u64;
    (high << 32) | low
}

/// The page's allocator: talc's WebAssembly build, 7 KB smaller in the
/// bundle than Rust's default (dlmalloc).
#[cfg(target_family = "wasm")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
