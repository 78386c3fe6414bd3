//! Profiles and the blocklist: `getMyProfile`, `getUserProfile`,
//! `updateMyProfile` (with custom fields), `getBlacklist`, `addToBlacklist`,
//! `removeFromBlacklist`.

use js_sys::Promise;
use tinyim_core::wire::user::{AllowType, Gender, ProfileUpdate};
use wasm_bindgen::prelude::*;

use crate::host::Collect;
use crate::read::{field, id_list};
use crate::Session;

/// The blocklist page a web call asks for: TIM returns the whole list.
const BLOCKLIST_PAGE: u16 = 1000;

/// `updateMyProfile`'s fields, copied out of JavaScript; `None` where the
/// page did not set one.
struct Update {
    nick: Option<String>,
    avatar: Option<String>,
    location: Option<String>,
    self_signature: Option<String>,
    gender: Option<Gender>,
    allow_type: Option<AllowType>,
}

impl Update {
    fn read(options: &JsValue) -> Self {
        let set = |key: &str| field(options, key).as_string();
        let gender = set("gender").and_then(|g| match g.as_str() {
            "Gender_Type_Female" => Some(Gender::Female),
            "Gender_Type_Male" => Some(Gender::Male),
            "Gender_Type_Unknown" => Some(Gender::Unknown),
            _ => None,
        });
        let allow_type = set("allowType").and_then(|a| match a.as_str() {
            "AllowType_Type_AllowAny" => Some(AllowType::AllowAny),
            "AllowType_Type_NeedConfirm" => Some(AllowType::NeedConfirm),
            "AllowType_Type_DenyAny" => Some(AllowType::DenyAny),
            _ => None,
        });
        Self {
            nick: set("nick"),
            avatar: set("avatar"),
            location: set("location"),
            self_signature: set("selfSignature"),
            gender,
            allow_type,
        }
    }

    fn update(&self) -> ProfileUpdate<'_> {
        ProfileUpdate {
            nick: self.nick.as_deref(),
            avatar: self.avatar.as_deref(),
            location: self.location.as_deref(),
            self_signature: self.self_signature.as_deref(),
            gender: self.gender,
            allow_type: self.allow_type,
            ..ProfileUpdate::default()
        }
    }
}

#[wasm_bindgen]
impl Session {
    /// TIM `getMyProfile()`: resolves with the profile record.
    #[wasm_bindgen(js_name = getMyProfile)]
    pub fn my_profile(&self) -> Promise {
        self.request(Collect::Records, |client, now| client.my_profile(now))
    }

    /// TIM `getUserProfile({userIDList})`: a profile record per user.
    #[wasm_bindgen(js_name = getUserProfile)]
    pub fn user_profile(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Records, move |client, now| {
            client.user_profile(now, &users)
        })
    }

    /// TIM `updateMyProfile(options)`: resolves with the new profile record.
    #[wasm_bindgen(js_name = updateMyProfile)]
    pub fn update_my_profile(&self, options: JsValue) -> Promise {
        let update = Update::read(&options);
        self.request(Collect::Records, move |client, now| {
            client.update_my_profile(now, &update.update())
        })
    }

    /// One field of TIM `updateMyProfile`'s `profileCustomField`
    /// (`Tag_Profile_Custom_*`; an empty value removes it).
    #[wasm_bindgen(js_name = setProfileCustom)]
    pub fn set_profile_custom(&self, key: String, value: String) -> Promise {
        self.request(Collect::Unit, move |client, now| {
            client.set_profile_custom(now, &key, &value)
        })
    }

    /// The profile custom fields of `users`: a record per field, then the
    /// page's (whose `nextOffset` counts the users answered).
    #[wasm_bindgen(js_name = getProfileCustom)]
    pub fn profile_custom(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Records, move |client, now| {
            client.profile_custom(now, &users)
        })
    }

    /// TIM `getBlacklist()`: a record per blocked user, then the page's.
    #[wasm_bindgen(js_name = getBlacklist)]
    pub fn blocklist(&self) -> Promise {
        self.request(Collect::Records, |client, now| {
            client.blocklist(now, 0, BLOCKLIST_PAGE)
        })
    }

    /// TIM `addToBlacklist({userIDList})`.
    #[wasm_bindgen(js_name = addToBlacklist)]
    pub fn add_to_blocklist(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.add_to_blocklist(now, &users)
        })
    }

    /// TIM `removeFromBlacklist({userIDList})`.
    #[wasm_bindgen(js_name = removeFromBlacklist)]
    pub fn remove_from_blocklist(&self, users: JsValue) -> Promise {
        let users = id_list(&users);
        self.request(Collect::Unit, move |client, now| {
            client.remove_from_blocklist(now, &users)
        })
    }
}
