import ArgumentParser

@main
struct VanThuServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vanthu-server",
        abstract: "The VanThu document workflow and signature service.",
        discussion: """
        With no subcommand it serves. Configuration comes from VANTHU_* environment variables or the
        matching flags (flags win). With VANTHU_DATABASE_URL unset it runs its own PostgreSQL under
        VANTHU_DATA_DIR (default .vanthu/). Admin commands work whether or not the server is running.

        Exit status: 0 success, 1 the command was refused (bad input, conflict, not found),
        3 unusable configuration or usage, 4 the database could not be reached or started.
        """,
        subcommands: [Serve.self, Seed.self, Org.self, User.self],
        defaultSubcommand: Serve.self
    )
}
