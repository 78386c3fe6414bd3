//! Image, file and voice messages on [`Tim`]: the registered upload plugin stores
//! the bytes, then the message goes out with the URL.

use std::sync::Arc;

use tinyim_core::ConversationType;

use crate::event::{Outgoing, SentMessage};
use crate::tim::Tim;
use crate::upload::{MediaError, UploadFile, Uploader};

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

    /// Uploads `file` with the registered plugin; its URL and size.
    async fn upload(&self, file: &UploadFile) -> Result<(String, u32), MediaError> {
        let size = u32::try_from(file.bytes.len()).map_err(|_| MediaError::TooLarge)?;
        let uploader = self
            .uploader
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
            .ok_or(MediaError::NoUploader)?;
        let url = uploader.upload(file).await.map_err(MediaError::Upload)?;
        Ok((url, size))
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
        let (url, size) = self.upload(image).await?;
        let message = Outgoing::image(conversation_type, to, &url, (width, height), size);
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
        let (url, size) = self.upload(file).await?;
        let message = Outgoing::file(conversation_type, to, &url, &file.name, size);
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
        let (url, size) = self.upload(sound).await?;
        let message = Outgoing::sound(conversation_type, to, &url, size, seconds);
        self.send_uploaded(message).await
    }
}
