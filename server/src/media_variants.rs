//! TIM's image variants, made by the server when an image upload
//! completes: a large one (at most [`LARGE`] pixels a side) and a
//! thumbnail (at most [`THUMBNAIL`]), JPEG, beside the original as
//! `<uuid>-large` and `<uuid>-thumb`. An image the `image` crate cannot
//! decode, or one past the decoding limits (a decompression bomb), simply
//! has none: the upload still counts.

use std::path::Path;

use image::{DynamicImage, ImageReader, Limits};

/// The large variant's longest side (TIM's "large" picture).
pub const LARGE: u32 = 720;
/// The thumbnail's longest side (TIM's thumbnails are 198 pixels).
pub const THUMBNAIL: u32 = 198;
/// Decoding refuses images of more pixels a side than this.
const MAX_SIDE: u32 = 16_384;
/// Decoding refuses to allocate more than this.
const MAX_ALLOC: u64 = 512 * 1024 * 1024;

/// One picture's facts: TIM's `ImageInfo` without its URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Picture {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Size in bytes.
    pub size: u64,
}

impl Picture {
    /// As a header value: `WIDTHxHEIGHT SIZE`.
    pub fn header(&self) -> String {
        format!("{}x{} {}", self.width, self.height, self.size)
    }
}

/// What was made of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variants {
    /// The original's dimensions (and size).
    pub original: Picture,
    /// The large variant (the original's own facts when it is no larger).
    pub large: Picture,
    /// The thumbnail.
    pub thumbnail: Picture,
}

/// The file name suffixes of the variants.
pub const SUFFIXES: [&str; 2] = ["-large", "-thumb"];

/// Why an image has no variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unreadable {
    /// Past the decoding limits.
    TooLarge,
    /// Not an image the decoder knows (or not one at all).
    NotAnImage,
}

/// The image at `path`, within the decoding limits.
fn decode(path: &Path) -> Result<DynamicImage, Unreadable> {
    let mut reader = ImageReader::open(path)
        .and_then(ImageReader::with_guessed_format)
        .map_err(|_| Unreadable::NotAnImage)?;
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    reader.decode().map_err(|e| match e {
        image::ImageError::Limits(_) => Unreadable::TooLarge,
        _ => Unreadable::NotAnImage,
    })
}

/// Makes the variants of the image at `original` beside it, as
/// `<original>-large` and `<original>-thumb`; `None` if it does not decode.
pub fn make(original: &Path) -> Option<Variants> {
    let size = std::fs::metadata(original).ok()?.len();
    let image = decode(original).ok()?;
    let picture = |img: &DynamicImage, size| Picture {
        width: img.width(),
        height: img.height(),
        size,
    };
    let original_facts = picture(&image, size);
    let mut made = [Picture::default(); 2];
    for ((side, suffix), slot) in [LARGE, THUMBNAIL].into_iter().zip(SUFFIXES).zip(&mut made) {
        let scaled = if image.width() <= side && image.height() <= side {
            image.clone()
        } else {
            image.thumbnail(side, side)
        };
        let path = with_suffix(original, suffix);
        // JPEG has no alpha: flattened to RGB.
        DynamicImage::ImageRgb8(scaled.to_rgb8())
            .save_with_format(&path, image::ImageFormat::Jpeg)
            .ok()?;
        *slot = picture(&scaled, std::fs::metadata(&path).ok()?.len());
    }
    Some(Variants {
        original: original_facts,
        large: made[0],
        thumbnail: made[1],
    })
}

fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PNG's CRC-32 (the IEEE polynomial), for the bomb's forged header.
    fn crc32(bytes: &[u8]) -> u32 {
        !bytes.iter().fold(!0u32, |crc, &b| {
            (0..8).fold(crc ^ u32::from(b), |c, _| {
                if c & 1 == 1 {
                    (c >> 1) ^ 0xEDB8_8320
                } else {
                    c >> 1
                }
            })
        })
    }

    #[test]
    fn a_large_image_gets_both_variants_and_garbage_gets_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("0123");
        let image = image::RgbImage::from_fn(1600, 900, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 9])
        });
        image
            .save_with_format(&path, image::ImageFormat::Png)
            .unwrap();
        let made = make(&path).expect("a PNG decodes");
        assert_eq!((made.original.width, made.original.height), (1600, 900));
        assert_eq!((made.large.width, made.large.height), (720, 405));
        assert_eq!((made.thumbnail.width, made.thumbnail.height), (198, 111));
        assert!(made.thumbnail.size > 0 && made.thumbnail.size < made.large.size);
        assert!(dir.path().join("0123-large").exists() && dir.path().join("0123-thumb").exists());

        let small = dir.path().join("small");
        image::RgbImage::new(100, 50)
            .save_with_format(&small, image::ImageFormat::Png)
            .unwrap();
        let made = make(&small).unwrap();
        assert_eq!(
            (made.large.width, made.thumbnail.width),
            (100, 100),
            "never enlarged"
        );

        // A decompression bomb: a tiny file claiming 20 000 pixels a side
        // (a 1x1 PNG whose header says so, its checksum made right) is
        // refused by the decoder's limits before it allocates.
        let mut png = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(1, 1)
            .write_to(&mut png, image::ImageFormat::Png)
            .unwrap();
        let mut bomb = png.into_inner();
        // Signature (8), length (4), "IHDR" (4), then width and height.
        bomb[16..20].copy_from_slice(&20_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&20_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        let bomb_path = dir.path().join("bomb");
        std::fs::write(&bomb_path, &bomb).unwrap();
        assert_eq!(decode(&bomb_path).err(), Some(Unreadable::TooLarge));
        assert_eq!(make(&bomb_path), None);

        let garbage = dir.path().join("garbage");
        std::fs::write(&garbage, b"not an image at all").unwrap();
        assert_eq!(decode(&garbage).err(), Some(Unreadable::NotAnImage));
        assert_eq!(make(&garbage), None);
    }
}
