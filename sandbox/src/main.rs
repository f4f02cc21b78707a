//! `pingpong-sandbox --listen 127.0.0.1:PORT`: the sandbox alone.

fn main() {}
