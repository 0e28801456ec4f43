//! The last words of a crashing build: the ERROR record and the stack trace each
//! language prints for each cause (a Go panic with goroutine frames, a Spring
//! `Application run failed` with `Caused by:` chains, a Python Traceback). Line
//! numbers and addresses come from the build's seed, so a restart prints the very
//! same trace, as a real binary would.

use super::app::{App, Cause, Flavour};
use super::render::Source;

/// The log record just before the trace.
pub struct ErrorRecord {
    pub source: Source,
    pub message: String,
    pub fields: Vec<(&'static str, String)>,
}

/// The setting a `MissingSetting` build lacks, and what it configures.
pub fn setting(app: &App) -> (&'static str, &'static str) {
    const SETTINGS: [(&str, &str); 4] = [
        ("DATABASE_URL", "database"),
        ("PAYMENTS_API_KEY", "payments client"),
        ("JWT_SECRET", "token signer"),
        ("REDIS_URL", "cache client"),
    ];
    let index = usize::try_from(app.build_number(20, 0, SETTINGS.len() as i64)).unwrap_or(0);
    SETTINGS.get(index).copied().unwrap_or(SETTINGS[0])
}

/// How a refused database connection reads in the flavour's own words.
pub fn refused(app: &App) -> String {
    let address = database_address(app);
    match app.flavour {
        Flavour::Go => format!("dial tcp {address}: connect: connection refused"),
        Flavour::Java => format!(
            "org.postgresql.util.PSQLException: Connection to {} refused.",
            super::startup::database(app)
        ),
        Flavour::Python => {
            let (host, port) = address.split_once(':').unwrap_or((&address, "5432"));
            format!("connection to server at \"{host}\", port {port} failed: Connection refused")
        }
    }
}

/// The database service's cluster address, `10.96.112.40:5432`.
fn database_address(app: &App) -> String {
    format!(
        "10.96.{}.{}:5432",
        app.build_number(21, 0, 256),
        app.build_number(22, 2, 255)
    )
}

pub fn crash(app: &App) -> (ErrorRecord, Vec<String>) {
    match app.flavour {
        Flavour::Go => go(app),
        Flavour::Java => java(app),
        Flavour::Python => python(app),
    }
}

/// A source line number, stable per build and place (`salt`).
fn line(app: &App, salt: u64) -> i64 {
    app.build_number(100 + salt, 12, 240)
}

/// A Go frame's PC offset, `+0x1f4`.
fn offset(app: &App, salt: u64) -> String {
    format!("+0x{:x}", app.build_number(200 + salt, 0x18, 0x3ff))
}

fn go(app: &App) -> (ErrorRecord, Vec<String>) {
    let name = &app.name;
    let module = format!("github.com/{}/{}", app.org, app.name);
    let main = format!("/src/cmd/{name}/main.go");
    let (record, mut trace) = match app.cause {
        Cause::DatabaseDown => {
            let error = refused(app);
            let trace = vec![
                format!("panic: failed to connect to database: {error}"),
                String::new(),
                "goroutine 1 [running]:".to_owned(),
                "main.mustOpenDB({0xc0000a6000, 0x3f})".to_owned(),
                format!("\t{main}:{} {}", line(app, 1), offset(app, 1)),
            ];
            (("database unreachable, giving up", error), trace)
        }
        Cause::MissingSetting => {
            let error = format!("required setting {} is not set", setting(app).0);
            let trace = vec![
                format!("panic: config: {error}"),
                String::new(),
                "goroutine 1 [running]:".to_owned(),
                format!("{module}/internal/config.MustLoad()"),
                format!(
                    "\t/src/internal/config/config.go:{} {}",
                    line(app, 2),
                    offset(app, 2)
                ),
            ];
            (("invalid configuration", error), trace)
        }
        Cause::NilConfig => {
            let trace = vec![
                "panic: runtime error: invalid memory address or nil pointer dereference"
                    .to_owned(),
                format!(
                    "[signal SIGSEGV: segmentation violation code=0x1 addr=0x28 pc=0x{:x}]",
                    app.build_number(30, 0x40_0000, 0x9f_ffff)
                ),
                String::new(),
                "goroutine 1 [running]:".to_owned(),
                format!("{module}/internal/cache.(*Warmer).Start(0x0, {{0xa1b2c0, 0xc0000b6000}})"),
                format!(
                    "\t/src/internal/cache/warmer.go:{} {}",
                    line(app, 3),
                    offset(app, 3)
                ),
                "main.run(...)".to_owned(),
                format!("\t{main}:{}", line(app, 4)),
            ];
            (
                (
                    "cache warmer failed to start",
                    "feature flags not loaded".to_owned(),
                ),
                trace,
            )
        }
    };
    trace.push("main.main()".to_owned());
    trace.push(format!("\t{main}:{} {}", line(app, 5), offset(app, 5)));
    let (message, error) = record;
    let record = ErrorRecord {
        source: Source::Main,
        message: message.to_owned(),
        fields: vec![("error", error)],
    };
    (record, trace)
}

fn java(app: &App) -> (ErrorRecord, Vec<String>) {
    let package = format!("com.{}.{}", app.org.replace(['-', '.'], "_"), app.package());
    let main_class = app.main_class();
    let main_frame = format!(
        "\tat {package}.{main_class}.main({main_class}.java:{})",
        line(app, 1)
    );
    let spring = "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:335)";
    let bean_factory = "org.springframework.beans.factory.support";
    let trace: Vec<String> = match app.cause {
        Cause::DatabaseDown => {
            let database = super::startup::database(app);
            vec![
                "org.springframework.beans.factory.BeanCreationException: Error creating bean with name 'entityManagerFactory' defined in class path resource [org/springframework/boot/autoconfigure/orm/jpa/HibernateJpaConfiguration.class]: Unable to open JDBC Connection for DDL execution".to_owned(),
                format!("\tat {bean_factory}.AbstractAutowireCapableBeanFactory.initializeBean(AbstractAutowireCapableBeanFactory.java:1806)"),
                format!("\tat {bean_factory}.AbstractAutowireCapableBeanFactory.doCreateBean(AbstractAutowireCapableBeanFactory.java:600)"),
                format!("\tat {bean_factory}.AbstractBeanFactory.getBean(AbstractBeanFactory.java:205)"),
                "\tat org.springframework.context.support.AbstractApplicationContext.refresh(AbstractApplicationContext.java:626)".to_owned(),
                spring.to_owned(),
                main_frame,
                format!("Caused by: org.postgresql.util.PSQLException: Connection to {database} refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections."),
                "\tat org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:352)".to_owned(),
                "\tat org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:273)".to_owned(),
                "\tat com.zaxxer.hikari.pool.HikariPool.checkFailFast(HikariPool.java:562)".to_owned(),
                "\t... 18 common frames omitted".to_owned(),
                "Caused by: java.net.ConnectException: Connection refused".to_owned(),
                "\tat java.base/sun.nio.ch.Net.pollConnect(Native Method)".to_owned(),
                "\tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)".to_owned(),
                "\t... 24 common frames omitted".to_owned(),
            ]
        }
        Cause::MissingSetting => {
            let (setting, _) = setting(app);
            vec![
                format!("org.springframework.beans.factory.UnsatisfiedDependencyException: Error creating bean with name '{}Client': Unsatisfied dependency expressed through constructor parameter 0", app.resource),
                format!("\tat {bean_factory}.ConstructorResolver.createArgumentArray(ConstructorResolver.java:795)"),
                format!("\tat {bean_factory}.ConstructorResolver.autowireConstructor(ConstructorResolver.java:237)"),
                format!("\tat {bean_factory}.AbstractBeanFactory.getBean(AbstractBeanFactory.java:205)"),
                "\tat org.springframework.context.support.AbstractApplicationContext.refresh(AbstractApplicationContext.java:626)".to_owned(),
                spring.to_owned(),
                main_frame,
                format!("Caused by: java.lang.IllegalArgumentException: Could not resolve placeholder '{setting}' in value \"${{{setting}}}\""),
                "\tat org.springframework.util.PropertyPlaceholderHelper.parseStringValue(PropertyPlaceholderHelper.java:180)".to_owned(),
                "\tat org.springframework.util.PropertyPlaceholderHelper.replacePlaceholders(PropertyPlaceholderHelper.java:126)".to_owned(),
                "\t... 21 common frames omitted".to_owned(),
            ]
        }
        Cause::NilConfig => vec![
            "java.lang.IllegalStateException: Failed to execute CommandLineRunner".to_owned(),
            "\tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:794)".to_owned(),
            "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:341)".to_owned(),
            main_frame,
            "Caused by: java.lang.NullPointerException: Cannot invoke \"java.util.Map.get(Object)\" because \"this.flags\" is null".to_owned(),
            format!("\tat {package}.cache.CacheWarmer.run(CacheWarmer.java:{})", line(app, 2)),
            "\tat org.springframework.boot.SpringApplication.callRunner(SpringApplication.java:791)".to_owned(),
            "\t... 2 common frames omitted".to_owned(),
        ],
    };
    let record = ErrorRecord {
        source: Source::Framework,
        message: "Application run failed".to_owned(),
        fields: Vec::new(),
    };
    (record, trace)
}

fn python(app: &App) -> (ErrorRecord, Vec<String>) {
    let package = app.package();
    let site = "/usr/local/lib/python3.12/site-packages";
    let frame = |file: &str, number: i64, function: &str, code: &str| {
        [
            format!("  File \"{file}\", line {number}, in {function}"),
            format!("    {code}"),
        ]
    };
    let main = format!("/app/{package}/main.py");
    let mut trace = vec!["Traceback (most recent call last):".to_owned()];
    match app.cause {
        Cause::DatabaseDown => {
            trace.extend(frame(&main, line(app, 1), "<module>", "app = create_app()"));
            trace.extend(frame(
                &format!("/app/{package}/app.py"),
                line(app, 2),
                "create_app",
                "db.connect(settings.database_url)",
            ));
            trace.extend(frame(
                &format!("/app/{package}/db.py"),
                line(app, 3),
                "connect",
                "_conn = psycopg.connect(url, connect_timeout=5)",
            ));
            trace.extend(frame(
                &format!("{site}/psycopg/connection.py"),
                119,
                "connect",
                "raise last_ex.with_traceback(None)",
            ));
            trace.push(format!(
                "psycopg.OperationalError: connection failed: {}",
                refused(app)
            ));
            trace.push(
                "\tIs the server running on that host and accepting TCP/IP connections?".to_owned(),
            );
        }
        Cause::MissingSetting => {
            let field = setting(app).0.to_lowercase();
            trace.extend(frame(
                &main,
                line(app, 1),
                "<module>",
                "settings = Settings()",
            ));
            trace.extend(frame(
                &format!("{site}/pydantic_settings/main.py"),
                171,
                "__init__",
                "super().__init__(",
            ));
            trace.extend(frame(&format!("{site}/pydantic/main.py"), 214, "__init__", "validated_self = self.__pydantic_validator__.validate_python(data, self_instance=self)"));
            trace.push(
                "pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings"
                    .to_owned(),
            );
            trace.push(field);
            trace.push(
                "  Field required [type=missing, input_value={}, input_type=dict]".to_owned(),
            );
            trace.push(
                "    For further information visit https://errors.pydantic.dev/2.9/v/missing"
                    .to_owned(),
            );
        }
        Cause::NilConfig => {
            trace.extend(frame(&main, line(app, 1), "<module>", "cache.warm(flags)"));
            trace.extend(frame(
                &format!("/app/{package}/cache.py"),
                line(app, 2),
                "warm",
                "for key in flags.get(\"preload\", []):",
            ));
            trace.push("AttributeError: 'NoneType' object has no attribute 'get'".to_owned());
        }
    }
    let record = ErrorRecord {
        source: Source::Main,
        message: "startup failed".to_owned(),
        fields: Vec::new(),
    };
    (record, trace)
}
