#[tokio::main]
async fn main() {
    if let Err(error) = rampart::server::cli::run().await {
        eprintln!("rampart: {error}");
        std::process::exit(1);
    }
}
