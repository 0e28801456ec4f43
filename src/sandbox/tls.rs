//! The sandbox's TLS: a fresh certificate authority and a server certificate for
//! `127.0.0.1`/`localhost` per start. Clients must use TLS because client-go (and so
//! kubectl) never sends a bearer token over plain HTTP; the kubeconfig carries the
//! CA so clients verify the server as they would a real cluster.
//!
//! The rustls provider is chosen explicitly (aws-lc-rs): the process may link more
//! than one, and rustls refuses to guess.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    KeyUsagePurpose, SanType,
};
use tokio_rustls::rustls;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// What a client needs to trust (the CA, PEM) and what the server presents.
pub struct Credentials {
    pub ca_pem: String,
    pub server: Arc<rustls::ServerConfig>,
}

pub fn generate() -> Result<Credentials, String> {
    let failed = |what: &str, e: &dyn std::fmt::Display| format!("{what}: {e}");
    let mut ca_params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| failed("CA parameters", &e))?;
    let mut ca_name = DistinguishedName::new();
    ca_name.push(DnType::CommonName, "driftdeck-sandbox-ca");
    ca_params.distinguished_name = ca_name;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::CrlSign,
    ];
    let ca_key = KeyPair::generate().map_err(|e| failed("CA key", &e))?;
    let ca = CertifiedIssuer::self_signed(ca_params, ca_key)
        .map_err(|e| failed("CA certificate", &e))?;

    let mut params = CertificateParams::new(vec!["localhost".to_owned()])
        .map_err(|e| failed("server parameters", &e))?;
    params
        .subject_alt_names
        .push(SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, "driftdeck-sandbox");
    params.distinguished_name = name;
    let key = KeyPair::generate().map_err(|e| failed("server key", &e))?;
    let certificate = params
        .signed_by(&key, &ca)
        .map_err(|e| failed("server certificate", &e))?;

    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed("TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(
            vec![
                CertificateDer::from(certificate.der().to_vec()),
                ca.der().clone(),
            ],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .map_err(|e| failed("TLS configuration", &e))?;
    server.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Credentials {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    })
}
