//! Properties of the text utilities on any input: normalisation is idempotent, a parsed image
//! reference prints back to the same reference, redaction is idempotent.
#![no_main]

use ecs_diagnose::image::ImageRef;
use ecs_diagnose::normalize::normalize;
use ecs_diagnose::redact::Redactor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let once = normalize(&text);
    assert_eq!(normalize(&once), once, "normalising twice changed {text:?}");

    if let Some(image) = ImageRef::parse(&text) {
        let mut printed = format!("{}/{}", image.registry, image.repository);
        if let Some(tag) = &image.tag {
            printed.push(':');
            printed.push_str(tag);
        }
        if let Some(digest) = &image.digest {
            printed.push('@');
            printed.push_str(digest);
        }
        assert_eq!(
            ImageRef::parse(&printed),
            Some(image),
            "{text:?} printed as {printed:?}"
        );
    }

    let mut redactor = Redactor::new();
    redactor.learn_text(&text);
    let redacted = redactor.redact(&text);
    assert_eq!(
        redactor.redact(&redacted),
        redacted,
        "redaction is idempotent on {text:?}"
    );
});
