//! Fields of the plain objects a page passes (TIM's option objects), read
//! leniently as TIM does: a missing or mistyped field reads as empty, and
//! the core refuses what it cannot take with a code.

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

/// `object[key]`, or `undefined`.
pub(crate) fn field(object: &JsValue, key: &str) -> JsValue {
    Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A string field, or `""`.
pub(crate) fn text(object: &JsValue, key: &str) -> String {
    field(object, key).as_string().unwrap_or_default()
}

/// A number field, or 0.
pub(crate) fn number(object: &JsValue, key: &str) -> f64 {
    field(object, key).as_f64().unwrap_or(0.0)
}

/// A boolean field, or false.
pub(crate) fn flag(object: &JsValue, key: &str) -> bool {
    field(object, key).as_bool().unwrap_or(false)
}

/// A user id list (an array of strings, or one string) as the core's
/// comma-separated form.
pub(crate) fn id_list(value: &JsValue) -> String {
    if let Some(one) = value.as_string() {
        return one;
    }
    if !Array::is_array(value) {
        return String::new();
    }
    let ids: Vec<String> = Array::from(value)
        .iter()
        .filter_map(|id| id.as_string())
        .collect();
    ids.join(",")
}
