use clap::Parser;

#[actix_web::main]
async fn main() -> std::process::ExitCode {
    licensedesk::telemetry::init();
    match licensedesk::cli::run(licensedesk::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
