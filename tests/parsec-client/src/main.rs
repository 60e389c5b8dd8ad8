//! Independent conformance client for parsecd: every operation and error path through
//! Debian's parsec-interface 0.27 (its request/response codec and prost bodies, not ours).
//! Usage: parsec-conformance MODE [ARG]; the service is found with PARSEC_SERVICE_ENDPOINT.
//! Modes: all | persist-create FILE | persist-check FILE | isolation | delete-client APP.
use parsec_interface::operations::psa_algorithm::*;
use parsec_interface::operations::psa_key_attributes::*;
use parsec_interface::operations::*;
use parsec_interface::operations_protobuf::ProtobufConverter;
use parsec_interface::requests::request::{RequestAuth, RequestHeader};
use parsec_interface::requests::*;
use parsec_interface::secrecy::{ExposeSecret, Secret};
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::UnixStream;
use zeroize::Zeroizing;

struct Client {
    path: String,
    uid: u32,
    /// PARSEC_TEST_DIRECT_APP: authenticate with Direct as this application instead.
    direct: Option<String>,
    failures: u32,
    checks: u32,
}

type Res<T> = std::result::Result<T, ResponseStatus>;

fn z(v: &[u8]) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(v.to_vec())
}

impl Client {
    fn new() -> Client {
        let endpoint = std::env::var("PARSEC_SERVICE_ENDPOINT")
            .unwrap_or_else(|_| "unix:/run/parsec/parsec.sock".to_string());
        let path = endpoint
            .strip_prefix("unix:")
            .expect("only unix: endpoints")
            .to_string();
        // The owner of /proc/self is this process's effective uid.
        let uid = std::fs::metadata("/proc/self").expect("/proc/self").uid();
        Client {
            path,
            uid,
            direct: std::env::var("PARSEC_TEST_DIRECT_APP").ok(),
            failures: 0,
            checks: 0,
        }
    }

    fn check(&mut self, what: &str, ok: bool) {
        self.checks += 1;
        if ok {
            println!("ok   {}", what);
        } else {
            self.failures += 1;
            println!("FAIL {}", what);
        }
    }

    /// One operation on its own connection, as Parsec clients do.
    fn call(&self, provider: ProviderId, op: NativeOperation, authed: bool) -> Res<NativeResult> {
        let conv = ProtobufConverter {};
        let opcode = op.opcode();
        let header = self.header(provider, opcode, authed);
        let auth = self.auth(authed);
        let request = Request {
            header,
            body: conv.operation_to_body(op)?,
            auth: RequestAuth::new(auth),
        };
        let mut stream =
            UnixStream::connect(&self.path).map_err(|_| ResponseStatus::ConnectionError)?;
        request.write_to_stream(&mut stream)?;
        let response = Response::read_from_stream(&mut stream, usize::MAX)?;
        if response.header.status != ResponseStatus::Success {
            return Err(response.header.status);
        }
        if response.header.opcode != opcode || response.header.provider != provider {
            return Err(ResponseStatus::InvalidEncoding);
        }
        conv.body_to_result(response.body, opcode)
    }

    fn crypto(&self, op: NativeOperation) -> Res<NativeResult> {
        self.call(ProviderId::TrustedService, op, true)
    }

    /// Raw bytes out, the response parsed by parsec-interface.
    fn raw(&self, bytes: &[u8]) -> Res<Response> {
        let mut stream =
            UnixStream::connect(&self.path).map_err(|_| ResponseStatus::ConnectionError)?;
        stream
            .write_all(bytes)
            .map_err(|_| ResponseStatus::ConnectionError)?;
        Response::read_from_stream(&mut stream, usize::MAX)
    }

    /// Raw bytes out and in: for opcodes parsec-interface has no name for (MAC).
    fn raw_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        let mut stream = UnixStream::connect(&self.path).expect("connect");
        stream.write_all(bytes).expect("write");
        let mut out = Vec::new();
        stream.read_to_end(&mut out).expect("read");
        out
    }

    fn header(&self, provider: ProviderId, opcode: Opcode, authed: bool) -> RequestHeader {
        RequestHeader {
            provider,
            session: 0,
            content_type: BodyType::Protobuf,
            accept_type: BodyType::Protobuf,
            auth_type: match (authed, &self.direct) {
                (false, _) => AuthType::NoAuth,
                (true, None) => AuthType::UnixPeerCredentials,
                (true, Some(_)) => AuthType::Direct,
            },
            opcode,
        }
    }

    fn auth(&self, authed: bool) -> Vec<u8> {
        match (authed, &self.direct) {
            (false, _) => vec![],
            (true, None) => self.uid.to_le_bytes().to_vec(),
            (true, Some(app)) => app.as_bytes().to_vec(),
        }
    }

    fn request_bytes(&self, provider: ProviderId, op: NativeOperation, authed: bool) -> Vec<u8> {
        let conv = ProtobufConverter {};
        let header = self.header(provider, op.opcode(), authed);
        let auth = self.auth(authed);
        let request = Request {
            header,
            body: conv.operation_to_body(op).unwrap(),
            auth: RequestAuth::new(auth),
        };
        let mut out = Vec::new();
        request.write_to_stream(&mut out).unwrap();
        out
    }
}

fn usage(flags: &[&str]) -> UsageFlags {
    let mut u = UsageFlags::default();
    for f in flags {
        match *f {
            "export" => {
                u.set_export();
            }
            "encrypt" => {
                u.set_encrypt();
            }
            "decrypt" => {
                u.set_decrypt();
            }
            "sign_hash" => {
                u.set_sign_hash();
            }
            "verify_hash" => {
                u.set_verify_hash();
            }
            "sign_message" => {
                u.set_sign_message();
            }
            "verify_message" => {
                u.set_verify_message();
            }
            "derive" => {
                u.set_derive();
            }
            _ => panic!("flag"),
        }
    }
    u
}

fn attrs(key_type: Type, bits: usize, flags: &[&str], alg: Algorithm) -> Attributes {
    Attributes {
        lifetime: Lifetime::Persistent,
        key_type,
        bits,
        policy: Policy {
            usage_flags: usage(flags),
            permitted_algorithms: alg,
        },
    }
}

fn ecdsa() -> AsymmetricSignature {
    AsymmetricSignature::Ecdsa {
        hash_alg: SignHash::Specific(Hash::Sha256),
    }
}

fn ecc_attrs() -> Attributes {
    attrs(
        Type::EccKeyPair {
            curve_family: EccFamily::SecpR1,
        },
        256,
        &["sign_hash", "verify_hash", "sign_message", "verify_message"],
        Algorithm::AsymmetricSignature(ecdsa()),
    )
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn generate(c: &Client, name: &str, a: Attributes) -> Res<NativeResult> {
    c.crypto(NativeOperation::PsaGenerateKey(
        psa_generate_key::Operation {
            key_name: name.to_string(),
            attributes: a,
        },
    ))
}

fn destroy(c: &Client, name: &str) -> Res<NativeResult> {
    c.crypto(NativeOperation::PsaDestroyKey(psa_destroy_key::Operation {
        key_name: name.to_string(),
    }))
}

fn export_public(c: &Client, name: &str) -> Res<Vec<u8>> {
    match c.crypto(NativeOperation::PsaExportPublicKey(
        psa_export_public_key::Operation {
            key_name: name.to_string(),
        },
    ))? {
        NativeResult::PsaExportPublicKey(r) => Ok(r.data.to_vec()),
        _ => Err(ResponseStatus::InvalidEncoding),
    }
}

fn sign(c: &Client, name: &str, hash: &[u8]) -> Res<Vec<u8>> {
    match c.crypto(NativeOperation::PsaSignHash(psa_sign_hash::Operation {
        key_name: name.to_string(),
        alg: ecdsa(),
        hash: z(hash),
    }))? {
        NativeResult::PsaSignHash(r) => Ok(r.signature.to_vec()),
        _ => Err(ResponseStatus::InvalidEncoding),
    }
}

fn verify(c: &Client, name: &str, hash: &[u8], sig: &[u8]) -> Res<NativeResult> {
    c.crypto(NativeOperation::PsaVerifyHash(psa_verify_hash::Operation {
        key_name: name.to_string(),
        alg: ecdsa(),
        hash: z(hash),
        signature: z(sig),
    }))
}

fn list_keys(c: &Client) -> Res<Vec<list_keys::KeyInfo>> {
    match c.call(
        ProviderId::Core,
        NativeOperation::ListKeys(list_keys::Operation {}),
        true,
    )? {
        NativeResult::ListKeys(r) => Ok(r.keys),
        _ => Err(ResponseStatus::InvalidEncoding),
    }
}

fn core_ops(c: &mut Client) {
    let r = c.call(
        ProviderId::Core,
        NativeOperation::Ping(ping::Operation {}),
        false,
    );
    c.check(
        "Ping answers wire protocol 1.0",
        matches!(r, Ok(NativeResult::Ping(ref p))
        if p.wire_protocol_version_maj == 1 && p.wire_protocol_version_min == 0),
    );

    let r = c.call(
        ProviderId::Core,
        NativeOperation::ListProviders(list_providers::Operation {}),
        false,
    );
    let ok = match r {
        Ok(NativeResult::ListProviders(p)) => {
            p.providers.len() == 2
                && p.providers[0].id == ProviderId::TrustedService
                && p.providers[0].uuid.to_string() == "71129441-508a-4da6-b6e8-7b98a777e4c0"
                && p.providers[1].id == ProviderId::Core
                && p.providers[1].uuid.to_string() == "47049873-2a43-4845-9d72-831eab668784"
        }
        _ => false,
    };
    c.check(
        "ListProviders: TrustedService (4, its UUID) first, core last",
        ok,
    );

    let r = c.call(
        ProviderId::Core,
        NativeOperation::ListOpcodes(list_opcodes::Operation {
            provider_id: ProviderId::TrustedService,
        }),
        false,
    );
    let ok = match r {
        Ok(NativeResult::ListOpcodes(o)) => {
            let want = [
                Opcode::PsaGenerateKey,
                Opcode::PsaDestroyKey,
                Opcode::PsaSignHash,
                Opcode::PsaVerifyHash,
                Opcode::PsaImportKey,
                Opcode::PsaExportPublicKey,
                Opcode::PsaExportKey,
                Opcode::PsaGenerateRandom,
                Opcode::CanDoCrypto,
                Opcode::PsaAsymmetricEncrypt,
                Opcode::PsaAsymmetricDecrypt,
                Opcode::PsaHashCompute,
                Opcode::PsaHashCompare,
                Opcode::PsaAeadEncrypt,
                Opcode::PsaAeadDecrypt,
                Opcode::PsaCipherEncrypt,
                Opcode::PsaCipherDecrypt,
                Opcode::PsaRawKeyAgreement,
                Opcode::PsaSignMessage,
                Opcode::PsaVerifyMessage,
            ];
            want.iter().all(|w| o.opcodes.contains(w)) && o.opcodes.len() == want.len()
        }
        _ => false,
    };
    c.check(
        "ListOpcodes(TrustedService): the 20 crypto opcodes, decodable",
        ok,
    );
    let r = c.call(
        ProviderId::Core,
        NativeOperation::ListOpcodes(list_opcodes::Operation {
            provider_id: ProviderId::Core,
        }),
        false,
    );
    c.check(
        "ListOpcodes(core): 7 core opcodes",
        matches!(r, Ok(NativeResult::ListOpcodes(ref o))
        if o.opcodes.len() == 7 && o.opcodes.contains(&Opcode::ListKeys)),
    );
    let r = c.call(
        ProviderId::Core,
        NativeOperation::ListOpcodes(list_opcodes::Operation {
            provider_id: ProviderId::Tpm,
        }),
        false,
    );
    c.check(
        "ListOpcodes(Tpm): ProviderNotRegistered",
        r.err() == Some(ResponseStatus::ProviderNotRegistered),
    );

    let r = c.call(
        ProviderId::Core,
        NativeOperation::ListAuthenticators(list_authenticators::Operation {}),
        false,
    );
    c.check(
        "ListAuthenticators: UnixPeerCredentials",
        matches!(r, Ok(NativeResult::ListAuthenticators(ref a))
        if a.authenticators.len() == 1 && a.authenticators[0].id == AuthType::UnixPeerCredentials),
    );
    let r = c.call(
        ProviderId::Core,
        NativeOperation::ListKeys(list_keys::Operation {}),
        false,
    );
    c.check(
        "ListKeys without authentication: NotAuthenticated",
        r.err() == Some(ResponseStatus::NotAuthenticated),
    );
}

fn asymmetric(c: &mut Client) {
    let _ = destroy(c, "conf-ecc");
    c.check(
        "GenerateKey ECC P-256 ECDSA(SHA-256)",
        generate(c, "conf-ecc", ecc_attrs()).is_ok(),
    );
    c.check(
        "GenerateKey same name: PsaErrorAlreadyExists",
        generate(c, "conf-ecc", ecc_attrs()).err() == Some(ResponseStatus::PsaErrorAlreadyExists),
    );
    let public = export_public(c, "conf-ecc");
    c.check(
        "ExportPublicKey: 65-byte uncompressed point",
        matches!(public, Ok(ref p) if p.len() == 65 && p[0] == 4),
    );
    let keys = list_keys(c).unwrap_or_default();
    c.check(
        "ListKeys shows the key with its attributes",
        keys.iter().any(|k| {
            k.name == "conf-ecc"
                && k.provider_id == ProviderId::TrustedService
                && k.attributes.bits == 256
                && k.attributes.key_type
                    == Type::EccKeyPair {
                        curve_family: EccFamily::SecpR1,
                    }
                && k.attributes.policy.permitted_algorithms
                    == Algorithm::AsymmetricSignature(ecdsa())
                && k.attributes.policy.usage_flags.sign_hash()
        }),
    );
    let hash = [0x5au8; 32];
    let sig = sign(c, "conf-ecc", &hash);
    c.check(
        "SignHash: 64-byte r||s",
        matches!(sig, Ok(ref s) if s.len() == 64),
    );
    let mut sig = sig.unwrap_or_else(|_| vec![0; 64]);
    c.check(
        "VerifyHash accepts it",
        verify(c, "conf-ecc", &hash, &sig).is_ok(),
    );
    sig[10] ^= 1;
    c.check(
        "VerifyHash of a changed signature: PsaErrorInvalidSignature",
        verify(c, "conf-ecc", &hash, &sig).err() == Some(ResponseStatus::PsaErrorInvalidSignature),
    );
    let r = c.crypto(NativeOperation::PsaSignMessage(
        psa_sign_message::Operation {
            key_name: "conf-ecc".into(),
            alg: ecdsa(),
            message: z(b"message"),
        },
    ));
    let msig = match r {
        Ok(NativeResult::PsaSignMessage(r)) => r.signature.to_vec(),
        _ => vec![],
    };
    c.check("SignMessage", msig.len() == 64);
    let r = c.crypto(NativeOperation::PsaVerifyMessage(
        psa_verify_message::Operation {
            key_name: "conf-ecc".into(),
            alg: ecdsa(),
            message: z(b"message"),
            signature: z(&msig),
        },
    ));
    c.check("VerifyMessage", r.is_ok());
    let r = c.crypto(NativeOperation::PsaVerifyMessage(
        psa_verify_message::Operation {
            key_name: "conf-ecc".into(),
            alg: ecdsa(),
            message: z(b"messagf"),
            signature: z(&msig),
        },
    ));
    c.check(
        "VerifyMessage of another message: PsaErrorInvalidSignature",
        r.err() == Some(ResponseStatus::PsaErrorInvalidSignature),
    );
    let r = c.crypto(NativeOperation::PsaExportKey(psa_export_key::Operation {
        key_name: "conf-ecc".into(),
    }));
    c.check(
        "ExportKey without the export flag: PsaErrorNotPermitted",
        r.err() == Some(ResponseStatus::PsaErrorNotPermitted),
    );

    // Key agreement: two ECDH keys agree on one secret.
    let ecdh = attrs(
        Type::EccKeyPair {
            curve_family: EccFamily::SecpR1,
        },
        256,
        &["derive"],
        Algorithm::KeyAgreement(KeyAgreement::Raw(RawKeyAgreement::Ecdh)),
    );
    let _ = destroy(c, "conf-ecdh-a");
    let _ = destroy(c, "conf-ecdh-b");
    c.check(
        "GenerateKey two ECDH keys",
        generate(c, "conf-ecdh-a", ecdh).is_ok() && generate(c, "conf-ecdh-b", ecdh).is_ok(),
    );
    let pa = export_public(c, "conf-ecdh-a").unwrap_or_default();
    let pb = export_public(c, "conf-ecdh-b").unwrap_or_default();
    let agree = |c: &Client, name: &str, peer: &[u8]| -> Vec<u8> {
        match c.crypto(NativeOperation::PsaRawKeyAgreement(
            psa_raw_key_agreement::Operation {
                alg: RawKeyAgreement::Ecdh,
                private_key_name: name.into(),
                peer_key: z(peer),
            },
        )) {
            Ok(NativeResult::PsaRawKeyAgreement(r)) => r.shared_secret.expose_secret().clone(),
            _ => vec![],
        }
    };
    let s1 = agree(c, "conf-ecdh-a", &pb);
    let s2 = agree(c, "conf-ecdh-b", &pa);
    c.check(
        "RawKeyAgreement: both sides get the same 32 bytes",
        s1.len() == 32 && s1 == s2,
    );

    // RSA encryption, PKCS#1 v1.5 and OAEP.
    for (name, alg) in [
        ("conf-rsa-v15", AsymmetricEncryption::RsaPkcs1v15Crypt),
        (
            "conf-rsa-oaep",
            AsymmetricEncryption::RsaOaep {
                hash_alg: Hash::Sha256,
            },
        ),
    ] {
        let _ = destroy(c, name);
        let a = attrs(
            Type::RsaKeyPair,
            2048,
            &["encrypt", "decrypt"],
            Algorithm::AsymmetricEncryption(alg),
        );
        c.check(
            &format!("GenerateKey RSA-2048 {}", name),
            generate(c, name, a).is_ok(),
        );
        let salt = if name == "conf-rsa-oaep" {
            Some(z(b"label"))
        } else {
            None
        };
        let r = c.crypto(NativeOperation::PsaAsymmetricEncrypt(
            psa_asymmetric_encrypt::Operation {
                key_name: name.into(),
                alg,
                plaintext: z(b"secret"),
                salt: salt.clone(),
            },
        ));
        let ct = match r {
            Ok(NativeResult::PsaAsymmetricEncrypt(r)) => r.ciphertext.to_vec(),
            _ => vec![],
        };
        c.check(
            &format!("AsymmetricEncrypt {}: 256 bytes", name),
            ct.len() == 256,
        );
        let r = c.crypto(NativeOperation::PsaAsymmetricDecrypt(
            psa_asymmetric_decrypt::Operation {
                key_name: name.into(),
                alg,
                ciphertext: z(&ct),
                salt,
            },
        ));
        let back = matches!(r, Ok(NativeResult::PsaAsymmetricDecrypt(ref p))
            if p.plaintext.as_slice() == b"secret");
        c.check(
            &format!("AsymmetricDecrypt {} gives the plaintext back", name),
            back,
        );
        c.check(&format!("DestroyKey {}", name), destroy(c, name).is_ok());
    }
    let _ = destroy(c, "conf-ecdh-a");
    let _ = destroy(c, "conf-ecdh-b");
}

fn symmetric(c: &mut Client) {
    // Hash: SHA-256("abc") (FIPS 180-2).
    let abc = hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    let r = c.crypto(NativeOperation::PsaHashCompute(
        psa_hash_compute::Operation {
            alg: Hash::Sha256,
            input: z(b"abc"),
        },
    ));
    c.check(
        "HashCompute SHA-256(abc)",
        matches!(r, Ok(NativeResult::PsaHashCompute(ref h)) if h.hash.as_slice() == abc.as_slice()),
    );
    let r = c.crypto(NativeOperation::PsaHashCompare(
        psa_hash_compare::Operation {
            alg: Hash::Sha256,
            input: z(b"abc"),
            hash: z(&abc),
        },
    ));
    c.check("HashCompare equal", r.is_ok());
    let r = c.crypto(NativeOperation::PsaHashCompare(
        psa_hash_compare::Operation {
            alg: Hash::Sha256,
            input: z(b"abd"),
            hash: z(&abc),
        },
    ));
    c.check(
        "HashCompare different: PsaErrorInvalidSignature",
        r.err() == Some(ResponseStatus::PsaErrorInvalidSignature),
    );

    // AES-128: import, export (same bytes), CTR and GCM round trips.
    let key = hex("000102030405060708090a0b0c0d0e0f");
    for (name, alg) in [
        ("conf-aes-ctr", Algorithm::Cipher(Cipher::Ctr)),
        (
            "conf-aes-gcm",
            Algorithm::Aead(Aead::AeadWithDefaultLengthTag(
                AeadWithDefaultLengthTag::Gcm,
            )),
        ),
    ] {
        let _ = destroy(c, name);
        let r = c.crypto(NativeOperation::PsaImportKey(psa_import_key::Operation {
            key_name: name.into(),
            attributes: attrs(Type::Aes, 0, &["encrypt", "decrypt", "export"], alg),
            data: Secret::new(key.clone()),
        }));
        c.check(
            &format!("ImportKey {} (bits from the data)", name),
            r.is_ok(),
        );
    }
    let r = c.crypto(NativeOperation::PsaExportKey(psa_export_key::Operation {
        key_name: "conf-aes-ctr".into(),
    }));
    c.check(
        "ExportKey gives the imported bytes",
        matches!(r, Ok(NativeResult::PsaExportKey(ref k)) if k.data.expose_secret() == &key),
    );
    let keys = list_keys(c).unwrap_or_default();
    c.check(
        "ListKeys: imported key has 128 bits",
        keys.iter()
            .any(|k| k.name == "conf-aes-ctr" && k.attributes.bits == 128),
    );
    let r = c.crypto(NativeOperation::PsaCipherEncrypt(
        psa_cipher_encrypt::Operation {
            key_name: "conf-aes-ctr".into(),
            alg: Cipher::Ctr,
            plaintext: z(b"twenty bytes of text"),
        },
    ));
    let ct = match r {
        Ok(NativeResult::PsaCipherEncrypt(r)) => r.ciphertext.to_vec(),
        _ => vec![],
    };
    c.check("CipherEncrypt CTR: IV + 20 bytes", ct.len() == 36);
    let r = c.crypto(NativeOperation::PsaCipherDecrypt(
        psa_cipher_decrypt::Operation {
            key_name: "conf-aes-ctr".into(),
            alg: Cipher::Ctr,
            ciphertext: z(&ct),
        },
    ));
    let back = matches!(r, Ok(NativeResult::PsaCipherDecrypt(ref p))
        if p.plaintext.as_slice() == b"twenty bytes of text");
    c.check("CipherDecrypt CTR", back);
    let gcm = Aead::AeadWithDefaultLengthTag(AeadWithDefaultLengthTag::Gcm);
    let nonce = [7u8; 12];
    let r = c.crypto(NativeOperation::PsaAeadEncrypt(
        psa_aead_encrypt::Operation {
            key_name: "conf-aes-gcm".into(),
            alg: gcm,
            nonce: z(&nonce),
            additional_data: z(b"ad"),
            plaintext: z(b"plain"),
        },
    ));
    let mut ct = match r {
        Ok(NativeResult::PsaAeadEncrypt(r)) => r.ciphertext.to_vec(),
        _ => vec![],
    };
    c.check("AeadEncrypt GCM: 5 bytes + 16-byte tag", ct.len() == 21);
    let r = c.crypto(NativeOperation::PsaAeadDecrypt(
        psa_aead_decrypt::Operation {
            key_name: "conf-aes-gcm".into(),
            alg: gcm,
            nonce: z(&nonce),
            additional_data: z(b"ad"),
            ciphertext: z(&ct),
        },
    ));
    c.check(
        "AeadDecrypt GCM",
        matches!(r, Ok(NativeResult::PsaAeadDecrypt(ref p)) if p.plaintext.as_slice() == b"plain"),
    );
    if !ct.is_empty() {
        ct[0] ^= 1;
    }
    let r = c.crypto(NativeOperation::PsaAeadDecrypt(
        psa_aead_decrypt::Operation {
            key_name: "conf-aes-gcm".into(),
            alg: gcm,
            nonce: z(&nonce),
            additional_data: z(b"ad"),
            ciphertext: z(&ct),
        },
    ));
    c.check(
        "AeadDecrypt of a changed ciphertext: PsaErrorInvalidSignature",
        r.err() == Some(ResponseStatus::PsaErrorInvalidSignature),
    );

    let r = c.crypto(NativeOperation::PsaGenerateRandom(
        psa_generate_random::Operation { size: 32 },
    ));
    c.check(
        "GenerateRandom 32",
        matches!(r, Ok(NativeResult::PsaGenerateRandom(ref g)) if g.random_bytes.len() == 32),
    );
    let r = c.crypto(NativeOperation::CanDoCrypto(can_do_crypto::Operation {
        check_type: can_do_crypto::CheckType::Generate,
        attributes: ecc_attrs(),
    }));
    c.check("CanDoCrypto(generate ECC P-256 ECDSA): Success", r.is_ok());
    let mut odd = attrs(
        Type::RsaKeyPair,
        1000,
        &["sign_hash"],
        Algorithm::AsymmetricSignature(AsymmetricSignature::RsaPkcs1v15Sign {
            hash_alg: SignHash::Specific(Hash::Sha256),
        }),
    );
    odd.bits = 1000;
    let r = c.crypto(NativeOperation::CanDoCrypto(can_do_crypto::Operation {
        check_type: can_do_crypto::CheckType::Generate,
        attributes: odd,
    }));
    c.check(
        "CanDoCrypto(generate RSA-1000): PsaErrorNotSupported",
        r.err() == Some(ResponseStatus::PsaErrorNotSupported),
    );
    for name in ["conf-aes-ctr", "conf-aes-gcm"] {
        c.check(&format!("DestroyKey {}", name), destroy(c, name).is_ok());
    }
}

// MAC operations (0x16, 0x17): parsec-interface has neither the opcode nor the types, so the
// bodies are prost messages written here from psa_mac_compute.proto / psa_mac_verify.proto and
// the header is laid out by hand from the wire-protocol table.
mod mac {
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Hmac {
        #[prost(int32, tag = "1")]
        pub hash_alg: i32,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct FullLength {
        #[prost(message, optional, tag = "1")]
        pub hmac: Option<Hmac>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Mac {
        #[prost(message, optional, tag = "1")]
        pub full_length: Option<FullLength>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Compute {
        #[prost(string, tag = "1")]
        pub key_name: String,
        #[prost(message, optional, tag = "2")]
        pub alg: Option<Mac>,
        #[prost(bytes = "vec", tag = "3")]
        pub input: Vec<u8>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ComputeResult {
        #[prost(bytes = "vec", tag = "1")]
        pub mac: Vec<u8>,
    }
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Verify {
        #[prost(string, tag = "1")]
        pub key_name: String,
        #[prost(message, optional, tag = "2")]
        pub alg: Option<Mac>,
        #[prost(bytes = "vec", tag = "3")]
        pub input: Vec<u8>,
        #[prost(bytes = "vec", tag = "4")]
        pub mac: Vec<u8>,
    }
}

fn raw_request(provider: u8, opcode: u32, auth_type: u8, body: &[u8], auth: &[u8]) -> Vec<u8> {
    let mut h = vec![0x10, 0xa7, 0xc0, 0x5e, 30, 0, 1, 0, 0, 0, provider];
    h.extend_from_slice(&[0; 8]);
    h.extend_from_slice(&[0, 0, auth_type]);
    h.extend_from_slice(&(body.len() as u32).to_le_bytes());
    h.extend_from_slice(&(auth.len() as u16).to_le_bytes());
    h.extend_from_slice(&opcode.to_le_bytes());
    h.extend_from_slice(&[0, 0, 0, 0]);
    h.extend_from_slice(body);
    h.extend_from_slice(auth);
    h
}

fn mac_ops(c: &mut Client) {
    use prost::Message;
    let _ = destroy(c, "conf-hmac");
    let hmac = Algorithm::Mac(Mac::FullLength(FullLengthMac::Hmac {
        hash_alg: Hash::Sha256,
    }));
    let r = c.crypto(NativeOperation::PsaImportKey(psa_import_key::Operation {
        key_name: "conf-hmac".into(),
        attributes: attrs(Type::Hmac, 0, &["sign_message", "verify_message"], hmac),
        data: Secret::new(b"Jefe".to_vec()),
    }));
    c.check("ImportKey HMAC key (RFC 4231 case 2)", r.is_ok());
    let alg = Some(mac::Mac {
        full_length: Some(mac::FullLength {
            hmac: Some(mac::Hmac { hash_alg: 7 }),
        }),
    });
    let body = mac::Compute {
        key_name: "conf-hmac".into(),
        alg: alg.clone(),
        input: b"what do ya want for nothing?".to_vec(),
    }
    .encode_to_vec();
    let resp = c.raw_bytes(&raw_request(4, 0x16, 3, &body, &c.uid.to_le_bytes()));
    let want = hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    let ok = resp.len() > 36
        && resp[32] == 0
        && resp[33] == 0
        && resp[28] == 0x16
        && mac::ComputeResult::decode(&resp[36..])
            .map(|r| r.mac == want)
            .unwrap_or(false);
    c.check("MacCompute HMAC-SHA-256 matches RFC 4231", ok);
    let body = mac::Verify {
        key_name: "conf-hmac".into(),
        alg: alg.clone(),
        input: b"what do ya want for nothing?".to_vec(),
        mac: want.clone(),
    }
    .encode_to_vec();
    let resp = c.raw_bytes(&raw_request(4, 0x17, 3, &body, &c.uid.to_le_bytes()));
    c.check(
        "MacVerify accepts it",
        resp.len() == 36 && resp[32] == 0 && resp[33] == 0,
    );
    let mut bad = want.clone();
    bad[0] ^= 1;
    let body = mac::Verify {
        key_name: "conf-hmac".into(),
        alg,
        input: b"what do ya want for nothing?".to_vec(),
        mac: bad,
    }
    .encode_to_vec();
    let resp = c.raw_bytes(&raw_request(4, 0x17, 3, &body, &c.uid.to_le_bytes()));
    c.check(
        "MacVerify of a changed MAC: PsaErrorInvalidSignature (1149)",
        resp.len() == 36 && u16::from_le_bytes([resp[32], resp[33]]) == 1149,
    );
    c.check("DestroyKey conf-hmac", destroy(c, "conf-hmac").is_ok());
}

fn errors(c: &mut Client) {
    let ping = c.request_bytes(
        ProviderId::Core,
        NativeOperation::Ping(ping::Operation {}),
        false,
    );
    let expect = |c: &mut Client, what: &str, bytes: Vec<u8>, want: ResponseStatus| {
        let r = c.raw(&bytes);
        let got = r.as_ref().map(|r| r.header.status);
        c.check(
            &format!("{}: {:?} (got {:?})", what, want, got),
            got == Ok(want),
        );
    };
    let mut b = ping.clone();
    b[0] = 0x11;
    expect(c, "bad magic", b, ResponseStatus::InvalidHeader);
    let mut b = ping.clone();
    b[7] = 1;
    expect(
        c,
        "wire protocol 1.1",
        b,
        ResponseStatus::WireProtocolVersionNotSupported,
    );
    let mut b = ping.clone();
    b[35] = 1;
    expect(c, "reserved byte set", b, ResponseStatus::InvalidHeader);
    let mut b = ping.clone();
    b[22..26].copy_from_slice(&(2u32 << 20).to_le_bytes());
    expect(
        c,
        "2 MiB body announced",
        b,
        ResponseStatus::BodySizeExceedsLimit,
    );
    let mut b = ping.clone();
    b[28] = 0x1d;
    expect(
        c,
        "unassigned opcode 0x1D",
        b,
        ResponseStatus::OpcodeDoesNotExist,
    );
    let mut b = ping.clone();
    b[28..32].copy_from_slice(&0x1234u32.to_le_bytes());
    expect(c, "opcode 0x1234", b, ResponseStatus::OpcodeDoesNotExist);
    let mut b = ping.clone();
    b[10] = 9;
    expect(c, "provider 9", b, ResponseStatus::ProviderDoesNotExist);
    let mut b = ping.clone();
    b[19] = 1;
    expect(
        c,
        "content type 1",
        b,
        ResponseStatus::ContentTypeNotSupported,
    );
    let mut b = ping.clone();
    b[21] = 7;
    expect(
        c,
        "auth type 7",
        b,
        ResponseStatus::AuthenticatorDoesNotExist,
    );
    let r = c.call(
        ProviderId::MbedCrypto,
        NativeOperation::PsaGenerateRandom(psa_generate_random::Operation { size: 8 }),
        true,
    );
    c.check(
        "unregistered provider (MbedCrypto): ProviderNotRegistered",
        r.err() == Some(ResponseStatus::ProviderNotRegistered),
    );
    let r = c.call(
        ProviderId::TrustedService,
        NativeOperation::Ping(ping::Operation {}),
        false,
    );
    c.check(
        "core opcode to provider 4: PsaErrorNotSupported",
        r.err() == Some(ResponseStatus::PsaErrorNotSupported),
    );
    let random = c.request_bytes(
        ProviderId::TrustedService,
        NativeOperation::PsaGenerateRandom(psa_generate_random::Operation { size: 8 }),
        true,
    );
    let mut b = random.clone();
    b[21] = 1; // Direct, with the 4 bytes as a name
    expect(
        c,
        "Direct authenticator (not configured)",
        b,
        ResponseStatus::AuthenticatorNotRegistered,
    );
    let mut b = random.clone();
    let n = b.len();
    b[n - 4] ^= 0x55; // another uid
    expect(
        c,
        "UID that is not the caller's",
        b,
        ResponseStatus::AuthenticationError,
    );
    let mut b = random.clone();
    b[36] = 0x0a; // body: field 1 as length-delimited
    expect(
        c,
        "undecodable body",
        b,
        ResponseStatus::DeserializingBodyFailed,
    );
    let r = c.crypto(NativeOperation::PsaGenerateRandom(
        psa_generate_random::Operation { size: 2 << 20 },
    ));
    c.check(
        "GenerateRandom over buffer_size_limit: ResponseTooLarge",
        r.err() == Some(ResponseStatus::ResponseTooLarge),
    );
    let r = c.crypto(NativeOperation::PsaSignHash(psa_sign_hash::Operation {
        key_name: "no-such-key".into(),
        alg: ecdsa(),
        hash: z(&[0; 32]),
    }));
    c.check(
        "SignHash with an unknown name: PsaErrorDoesNotExist",
        r.err() == Some(ResponseStatus::PsaErrorDoesNotExist),
    );
    // A read error answers with provider core and opcode Ping, whatever was asked.
    let mut b = random.clone();
    b[0] = 0;
    let r = c.raw(&b);
    c.check(
        "read-error response: provider core, opcode Ping",
        matches!(r, Ok(ref r)
        if r.header.provider == ProviderId::Core && r.header.opcode == Opcode::Ping),
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("all");
    let mut c = Client::new();
    match mode {
        "all" => {
            core_ops(&mut c);
            asymmetric(&mut c);
            symmetric(&mut c);
            mac_ops(&mut c);
            errors(&mut c);
        }
        "persist-create" => {
            let _ = destroy(&c, "persist");
            c.check(
                "GenerateKey persist",
                generate(&c, "persist", ecc_attrs()).is_ok(),
            );
            let p = export_public(&c, "persist").unwrap_or_default();
            std::fs::write(&args[2], &p).expect("write public key");
            c.check("ExportPublicKey persist", p.len() == 65);
        }
        "persist-check" => {
            let saved = std::fs::read(&args[2]).expect("read public key");
            let keys = list_keys(&c).unwrap_or_default();
            c.check(
                "after restart: ListKeys has persist",
                keys.iter().any(|k| k.name == "persist"),
            );
            c.check(
                "after restart: same public key",
                export_public(&c, "persist").ok() == Some(saved),
            );
            let s = sign(&c, "persist", &[1; 32]).unwrap_or_default();
            c.check(
                "after restart: sign and verify",
                verify(&c, "persist", &[1; 32], &s).is_ok(),
            );
            c.check(
                "after restart: DestroyKey persist",
                destroy(&c, "persist").is_ok(),
            );
        }
        "isolation" => {
            // Run as a second uid while the first uid owns "shared-name".
            let keys = list_keys(&c).unwrap_or_default();
            c.check(
                "second uid: ListKeys shows none of the first uid's keys",
                !keys.iter().any(|k| k.name == "shared-name"),
            );
            c.check(
                "second uid: the other uid's name is unknown here",
                export_public(&c, "shared-name").err()
                    == Some(ResponseStatus::PsaErrorDoesNotExist),
            );
            c.check(
                "second uid: the same name is free here",
                generate(&c, "shared-name", ecc_attrs()).is_ok(),
            );
            let r = c.call(
                ProviderId::Core,
                NativeOperation::ListClients(list_clients::Operation {}),
                true,
            );
            c.check(
                "second uid: ListClients is admin only",
                r.err() == Some(ResponseStatus::AdminOperation),
            );
        }
        "shared-create" => {
            let _ = destroy(&c, "shared-name");
            c.check(
                "first uid: GenerateKey shared-name",
                generate(&c, "shared-name", ecc_attrs()).is_ok(),
            );
            let p = export_public(&c, "shared-name").unwrap_or_default();
            std::fs::write(&args[2], &p).expect("write");
        }
        "shared-check" => {
            let saved = std::fs::read(&args[2]).expect("read");
            c.check(
                "first uid: shared-name is still its own key",
                export_public(&c, "shared-name").ok() == Some(saved),
            );
            c.check(
                "first uid: DestroyKey shared-name",
                destroy(&c, "shared-name").is_ok(),
            );
        }
        "direct" => {
            // Run with PARSEC_TEST_DIRECT_APP against a server configured for Direct.
            let r = c.call(
                ProviderId::Core,
                NativeOperation::ListAuthenticators(list_authenticators::Operation {}),
                false,
            );
            c.check(
                "Direct: ListAuthenticators says Direct",
                matches!(r, Ok(NativeResult::ListAuthenticators(ref a))
                    if a.authenticators.len() == 1 && a.authenticators[0].id == AuthType::Direct),
            );
            let keys = list_keys(&c).unwrap_or_default();
            c.check("Direct: no keys of another application", keys.is_empty());
            c.check(
                "Direct: GenerateKey direct-key",
                generate(&c, "direct-key", ecc_attrs()).is_ok(),
            );
            let s = sign(&c, "direct-key", &[2; 32]).unwrap_or_default();
            c.check(
                "Direct: sign and verify",
                verify(&c, "direct-key", &[2; 32], &s).is_ok(),
            );
            let keys = list_keys(&c).unwrap_or_default();
            c.check(
                "Direct: ListKeys shows exactly its key",
                keys.len() == 1 && keys[0].name == "direct-key",
            );
            c.check("Direct: DestroyKey", destroy(&c, "direct-key").is_ok());
            let app = c.direct.take();
            let r = c.crypto(NativeOperation::PsaGenerateRandom(
                psa_generate_random::Operation { size: 4 },
            ));
            c.check(
                "Direct server: UnixPeerCredentials is AuthenticatorNotRegistered",
                r.err() == Some(ResponseStatus::AuthenticatorNotRegistered),
            );
            c.direct = app;
        }
        "direct-keep" => {
            c.check(
                "Direct: GenerateKey direct-key (kept)",
                generate(&c, "direct-key", ecc_attrs()).is_ok(),
            );
        }
        "delete-client" => {
            let app = args[2].clone();
            let clients = |c: &Client| match c.call(
                ProviderId::Core,
                NativeOperation::ListClients(list_clients::Operation {}),
                true,
            ) {
                Ok(NativeResult::ListClients(r)) => Some(r.clients),
                _ => None,
            };
            c.check(
                &format!("admin: ListClients has {}", app),
                clients(&c).map(|l| l.contains(&app)) == Some(true),
            );
            let r = c.call(
                ProviderId::Core,
                NativeOperation::DeleteClient(delete_client::Operation {
                    client: app.clone(),
                }),
                true,
            );
            c.check("admin: DeleteClient", r.is_ok());
            c.check(
                &format!("admin: ListClients no longer has {}", app),
                clients(&c).map(|l| l.contains(&app)) == Some(false),
            );
        }
        _ => panic!("unknown mode {}", mode),
    }
    println!("{} checks, {} failed", c.checks, c.failures);
    std::process::exit(if c.failures == 0 { 0 } else { 1 });
}
