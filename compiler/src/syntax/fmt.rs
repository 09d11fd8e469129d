pub fn format(_src: &str) -> Option<String> { None }
