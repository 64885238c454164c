//! ECS service event messages: `(service web) was unable to place a task. Reason: ...`.

/// A service event split into the service name and the part worth matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceEvent<'t> {
    pub service: Option<&'t str>,
    /// The reason after `Reason: ` or inside `(error ...)`, else the whole message.
    pub message: &'t str,
}

/// Parses `text` when it reads like a service event (starts with `(service `).
pub fn parse(text: &str) -> Option<ServiceEvent<'_>> {
    let rest = text.trim_start().strip_prefix("(service ")?;
    let end = rest.find(')')?;
    let service = Some(&rest[..end]).filter(|s| !s.is_empty());
    Some(ServiceEvent {
        service,
        message: reason_of(text),
    })
}

/// The embedded reason of a service event message.
pub fn reason_of(text: &str) -> &str {
    if let Some((_, reason)) = text
        .split_once(". Reason: ")
        .or_else(|| text.split_once(" Reason: "))
    {
        return reason.trim();
    }
    if let Some((_, inner)) = text.split_once("with (error ") {
        let inner = inner.trim_end();
        let inner = inner.strip_suffix('.').unwrap_or(inner);
        return inner.strip_suffix(')').unwrap_or(inner).trim();
    }
    text.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_reason() {
        let e = parse("(service web) was unable to place a task. Reason: ResourceInitializationError: unable to pull secrets").unwrap();
        assert_eq!(e.service, Some("web"));
        assert_eq!(
            e.message,
            "ResourceInitializationError: unable to pull secrets"
        );
    }

    #[test]
    fn extracts_error_in_parentheses() {
        let e = parse("(service api) failed to launch a task with (error ECS was unable to assume the role 'arn:aws:iam::123456789012:role/x' that was provided for this task.).").unwrap();
        assert_eq!(
            e.message,
            "ECS was unable to assume the role 'arn:aws:iam::123456789012:role/x' that was provided for this task."
        );
    }

    #[test]
    fn keeps_whole_message_without_reason() {
        let text = "(service web) (task abc) (port 80) is unhealthy in (target-group arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123) due to (reason Request timed out)";
        assert_eq!(parse(text).unwrap().message, text);
        assert!(parse("not a service event").is_none());
    }
}
