//! Image, file and voice messages on [`Tim`]: the server's upload service
//! (or a registered upload plugin) stores the bytes, then the message goes
//! out with the URL and the upload's id.

use std::sync::Arc;

use tinyim_core::ConversationType;

use sha2::{Digest, Sha256};
use tinyim_core::wire::media::MediaKind;

use crate::driver::Command;
use crate::error::TimError;
use crate::event::{Outgoing, SentMessage, TimEvent};
use crate::media_http;
use crate::payload::{Payload, Picture};
use crate::tim::Tim;
use crate::upload::{MediaError, UploadFile, UploadedFile, Uploader};
use crate::user::{DownloadUrlInfo, UploadTicketInfo, UserCall, UserData};

impl Tim {
    /// TIM `registerPlugin({'tim-upload-plugin': ...})`: where image and file
    /// messages store their bytes. Replaces an earlier one; every clone of
    /// this client uses it.
    pub fn register_uploader(&self, uploader: Arc<dyn Uploader>) {
        *self
            .uploader
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(uploader);
    }

    /// Uploads `file` (a `kind` of media): through the registered plugin,
    /// or by default the server's upload service (a ticket, then the bytes
    /// over HTTP a chunk at a time, resumed after a cut, checked by their
    /// SHA-256; `TimEvent::UploadProgress` after each chunk).
    pub async fn upload_file(
        &self,
        kind: MediaKind,
        file: &UploadFile,
    ) -> Result<UploadedFile, MediaError> {
        let size = u32::try_from(file.bytes.len()).map_err(|_| MediaError::TooLarge)?;
        let plugin = self
            .uploader
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if let Some(plugin) = plugin {
            let url = plugin.upload(file).await.map_err(MediaError::Upload)?;
            return Ok(UploadedFile {
                url,
                size,
                ..UploadedFile::default()
            });
        }
        let sha256 = Sha256::digest(&file.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        let ticket = self
            .upload_ticket(kind, u64::from(size), &file.name, &sha256)
            .await
            .map_err(MediaError::Ticket)?;
        let events = self.events.clone();
        let name = file.name.clone();
        let progress = move |sent, total| {
            // Progress is news, not a record: a full event queue skips it.
            let _ = events.try_send(TimEvent::UploadProgress {
                name: name.clone(),
                sent,
                total,
            });
        };
        let facts = media_http::put_all(
            &ticket.upload_url,
            &file.bytes,
            self.tls.as_ref(),
            &progress,
        )
        .await
        .map_err(MediaError::Upload)?
        .unwrap_or_default();
        let picture = |url: String, (width, height, size): (u32, u32, u64)| Picture {
            url: if size > 0 { url } else { String::new() },
            size: u32::try_from(size).unwrap_or(u32::MAX),
            width,
            height,
        };
        Ok(UploadedFile {
            url: ticket.download_url,
            uuid: ticket.uuid,
            size,
            width: facts.original.0,
            height: facts.original.1,
            large: picture(ticket.large_url, facts.large),
            thumbnail: picture(ticket.thumbnail_url, facts.thumbnail),
        })
    }

    async fn send_uploaded(&self, message: Outgoing) -> Result<SentMessage, MediaError> {
        self.send(message).await.map_err(MediaError::Send)
    }

    /// TIM `createImageMessage` + `sendMessage`: uploads the image, then sends
    /// its URL, size and the given dimensions to a user (C2C) or a group.
    pub async fn send_image(
        &self,
        conversation_type: ConversationType,
        to: &str,
        image: &UploadFile,
        width: u32,
        height: u32,
    ) -> Result<SentMessage, MediaError> {
        let up = self.upload_file(MediaKind::Image, image).await?;
        // The caller's dimensions, else the server's.
        let (width, height) = if width == 0 || height == 0 {
            (up.width, up.height)
        } else {
            (width, height)
        };
        let mut message = Outgoing::image(conversation_type, to, &up.url, (width, height), up.size)
            .with_upload_id(&up.uuid);
        if let Payload::Image {
            large, thumbnail, ..
        } = &mut message.payload
        {
            *large = up.large;
            *thumbnail = up.thumbnail;
        }
        self.send_uploaded(message).await
    }

    /// TIM `createFileMessage` + `sendMessage`: uploads the file, then sends
    /// its URL, name and size.
    pub async fn send_file(
        &self,
        conversation_type: ConversationType,
        to: &str,
        file: &UploadFile,
    ) -> Result<SentMessage, MediaError> {
        let up = self.upload_file(MediaKind::File, file).await?;
        let message = Outgoing::file(conversation_type, to, &up.url, &file.name, up.size)
            .with_upload_id(&up.uuid);
        self.send_uploaded(message).await
    }

    /// TIM `createAudioMessage` + `sendMessage`: uploads the recording, then
    /// sends its URL, size and length in seconds.
    pub async fn send_sound(
        &self,
        conversation_type: ConversationType,
        to: &str,
        sound: &UploadFile,
        seconds: u32,
    ) -> Result<SentMessage, MediaError> {
        let up = self.upload_file(MediaKind::Sound, sound).await?;
        let message = Outgoing::sound(conversation_type, to, &up.url, up.size, seconds)
            .with_upload_id(&up.uuid);
        self.send_uploaded(message).await
    }

    /// A ticket to upload `size` bytes named `name`, of `kind`, whose
    /// SHA-256 is `sha256` (lowercase hex): what [`Tim::upload_file`]
    /// asks, for an application that sends the bytes itself.
    pub async fn upload_ticket(
        &self,
        kind: MediaKind,
        size: u64,
        name: &str,
        sha256: &str,
    ) -> Result<UploadTicketInfo, TimError> {
        let call = UserCall::UploadTicket(kind, size, name.to_owned(), sha256.to_owned());
        match self.media_call(call).await?.into_iter().next() {
            Some(UserData::Upload(ticket)) => Ok(ticket),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    /// A fresh URL for the upload message `seq` of `conversation_id`
    /// carries (a stored URL expires): for a user who may read that
    /// message, else 10007 or 10004.
    pub async fn download_url(
        &self,
        conversation_id: &str,
        seq: u64,
    ) -> Result<DownloadUrlInfo, TimError> {
        let call = UserCall::DownloadUrl(conversation_id.to_owned(), seq);
        match self.media_call(call).await?.into_iter().next() {
            Some(UserData::Download(url)) => Ok(url),
            _ => Err(TimError::UnexpectedAnswer),
        }
    }

    async fn media_call(&self, call: UserCall) -> Result<Vec<UserData>, TimError> {
        self.call(|reply| Command::User { call, reply }).await
    }
}
