//! Inputs the fuzz targets (fuzz/, scripts/fuzz.sh) found to break a property, kept as tests
//! after the fix. Each names the target that found it.

use ecs_diagnose::image::ImageRef;

/// Target `text`: a scheme with odd case made `hTtps:` the registry and `/Eh` the repository,
/// which printed back as a different image.
#[test]
fn malformed_registry_or_empty_path_segment_is_not_an_image() {
    for text in [
        "hTtps://Eh",
        "host:/x",
        "registry.io//repo",
        "registry.io/repo/",
        "a b/c",
        "host:port/x",
    ] {
        assert_eq!(ImageRef::parse(text), None, "{text}");
    }
    let image = ImageRef::parse("localhost:5000/team/app:1.2").unwrap();
    assert_eq!(
        (image.registry.as_str(), image.repository.as_str()),
        ("localhost:5000", "team/app")
    );
}

/// Target `text`: redacting twice changed the text.
#[test]
fn redaction_is_idempotent_on_mangled_arns() {
    let data: &[u8] = b"\xa2\xa9ss::\x00\x00\x00\x00a\x00aarn:awss:s3:\xfe\x00\x00\x00\x00aarn:awss:s3:\xfe\xff\x00\x00://eaawsarn:awss:s3:\xfe\x00\x00\x00\x00aarn:awss:s,:\xfe\xff\x00\x00://eaawss://aw(\xf4\x06\x00\x00\x00\x00\x00\x00aw";
    let text = String::from_utf8_lossy(data);
    let mut redactor = ecs_diagnose::redact::Redactor::new();
    redactor.learn_text(&text);
    let once = redactor.redact(&text);
    assert_eq!(redactor.redact(&once), once, "{text:?}");
}
