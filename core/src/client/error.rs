//! Errors of the client's commands, one small enum per operation family.

use core::fmt;

/// Why a command was not accepted. Nothing was queued when this is returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[non_exhaustive]
pub enum CommandError {
    /// Log in first (TIM 2024).
    NotLoggedIn,
    /// Already logged in or logging in (TIM 2025).
    AlreadyLoggedIn,
    /// The pending-request table is full; wait for answers.
    TooManyInFlight,
    /// The outbox has no room for the encoded request now; wait for acks.
    OutboxFull,
    /// The request can never fit the outbox or the server's frame limit (TIM 80002).
    TooLarge,
    /// A conversation id, or the user or group a message goes to, is
    /// malformed (TIM 2503).
    InvalidId,
    /// A user id, or a list of them, is malformed, empty or over its limit
    /// (TIM 70107).
    InvalidUserId,
    /// A group id is malformed (TIM 10015).
    InvalidGroupId,
    /// The UserSig is longer than the client keeps.
    UserSigTooLong,
    /// The group table is full: the client could not list another group.
    GroupTableFull,
    /// Only the server makes this element (a revocation, a group tip or
    /// notice): the server would refuse it with 9002.
    NotSendable,
    /// A value is outside what the call takes (no mark bit to change).
    InvalidParameter,
}

impl fmt::Display for CommandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CommandError::NotLoggedIn => "not logged in",
            CommandError::AlreadyLoggedIn => "already logged in",
            CommandError::TooManyInFlight => "too many requests in flight",
            CommandError::OutboxFull => "outbox full",
            CommandError::TooLarge => "request too large",
            CommandError::InvalidId => "invalid conversation id",
            CommandError::InvalidUserId => "invalid user id, or too many of them",
            CommandError::InvalidGroupId => "invalid group id",
            CommandError::UserSigTooLong => "UserSig too long",
            CommandError::GroupTableFull => "group table full",
            CommandError::NotSendable => "only the server makes this element",
            CommandError::InvalidParameter => "invalid parameter",
        })
    }
}

impl core::error::Error for CommandError {}

impl CommandError {
    /// The TIM error code an application is told.
    pub fn code(self) -> u32 {
        use crate::wire::code;
        match self {
            CommandError::NotLoggedIn => code::NOT_LOGGED_IN,
            CommandError::AlreadyLoggedIn => code::REPEAT_LOGIN,
            CommandError::TooLarge => code::MESSAGE_TOO_LARGE,
            CommandError::InvalidId => code::BAD_CONVERSATION,
            CommandError::InvalidUserId => code::INVALID_USER_ID,
            CommandError::InvalidGroupId => code::INVALID_GROUP_ID,
            CommandError::GroupTableFull | CommandError::InvalidParameter => {
                code::INVALID_PARAMETER
            }
            CommandError::NotSendable => code::BAD_REQUEST,
            CommandError::UserSigTooLong => code::USER_SIG_INVALID,
            // Full for now: try again after answers arrive.
            CommandError::TooManyInFlight | CommandError::OutboxFull => code::RATE_LIMITED,
        }
    }
}

/// Why the sync state ([`crate::Client::save_sync_state`]) could not be saved or restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SyncStateError {
    /// The buffer is too small to hold the state.
    BufferTooSmall,
    /// The bytes are not a sync state of this version.
    Malformed,
    /// Restore only before login.
    WrongState,
    /// More conversations than the table holds.
    TableFull,
}

impl fmt::Display for SyncStateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SyncStateError::BufferTooSmall => "buffer too small",
            SyncStateError::Malformed => "malformed sync state",
            SyncStateError::WrongState => "restore is only allowed before login",
            SyncStateError::TableFull => "conversation table full",
        })
    }
}

impl core::error::Error for SyncStateError {}
