//! A rough, human name for a browser from its User-Agent header ("Firefox on Windows"),
//! for the "Your sessions" page. Only families, never versions: enough to recognise one's
//! own devices, and nothing that needs a parser database.

/// "Browser on system", or a plain fallback when the header says too little.
pub fn family(user_agent: &str) -> String {
    let ua = user_agent.to_ascii_lowercase();
    let browser = if ua.contains("edg/") || ua.contains("edge/") {
        Some("Edge")
    } else if ua.contains("opr/") || ua.contains("opera") {
        Some("Opera")
    } else if ua.contains("firefox/") || ua.contains("fxios/") {
        Some("Firefox")
    } else if ua.contains("chrome/") || ua.contains("crios/") || ua.contains("chromium/") {
        Some("Chrome")
    } else if ua.contains("safari/") {
        Some("Safari")
    } else {
        None
    };
    let system = if ua.contains("iphone") || ua.contains("ipad") {
        Some("iPhone or iPad")
    } else if ua.contains("android") {
        Some("Android")
    } else if ua.contains("windows") {
        Some("Windows")
    } else if ua.contains("mac os") || ua.contains("macintosh") {
        Some("Mac")
    } else if ua.contains("cros") {
        Some("ChromeOS")
    } else if ua.contains("linux") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "An unrecognised browser or program".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn common_browsers_are_named_with_their_system() {
        let chrome_win = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36";
        assert_eq!(family(chrome_win), "Chrome on Windows");
        let edge =
            "Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36 Edg/120.0";
        assert_eq!(family(edge), "Edge on Windows");
        let safari_ios = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(family(safari_ios), "Safari on iPhone or iPad");
        let firefox_linux =
            "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0";
        assert_eq!(family(firefox_linux), "Firefox on Linux");
        let android =
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(family(android), "Chrome on Android");
    }

    #[test]
    fn unknown_agents_get_a_plain_description() {
        assert_eq!(family(""), "An unrecognised browser or program");
        assert_eq!(family("curl/8.0"), "An unrecognised browser or program");
    }
}
