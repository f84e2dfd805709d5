/* tls_cert.c: self-signed ECDSA P-256 certificates and SHA-256
 * certificate fingerprints (RFC 8122 §5, RFC 5763 for DTLS-SRTP). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "tls/tls_int.h"

/* Longest common name / subjectAltName accepted. */
#define TLS_CN_MAX 255

static int add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, crt, crt, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return EINVAL;
	ok = X509_add_ext(crt, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : ENOMEM;
}

static int build_cert(X509 *crt, EVP_PKEY *key, const char *cn)
{
	char san[TLS_CN_MAX + 8];
	ASN1_OCTET_STRING *ip = a2i_IPADDRESS(cn);
	X509_NAME *name = X509_get_subject_name(crt);
	uint64_t serial;
	int err;

	snprintf(san, sizeof(san), "%s:%s", ip ? "IP" : "DNS", cn);
	ASN1_OCTET_STRING_free(ip);
	rand_bytes(&serial, sizeof(serial));
	serial &= 0x7fffffffffffffffULL; /* positive (RFC 5280 §4.1.2.2) */
	if (!X509_set_version(crt, 2) ||
	    !ASN1_INTEGER_set_uint64(X509_get_serialNumber(crt), serial) ||
	    !X509_gmtime_adj(X509_getm_notBefore(crt), -3600) ||
	    !X509_gmtime_adj(X509_getm_notAfter(crt),
	                     (long)TLS_SELFSIGNED_DAYS * 86400) ||
	    !X509_set_pubkey(crt, key) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	                                (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(crt, name))
		return ENOMEM;
	err = add_ext(crt, NID_subject_alt_name, san);
	if (!err)
		err = add_ext(crt, NID_basic_constraints, "critical,CA:FALSE");
	if (err)
		return err;
	return X509_sign(crt, key, EVP_sha256()) ? 0 : ENOMEM;
}

static int write_pem(const char *file, bool secret, EVP_PKEY *key, X509 *crt)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	              secret ? 0600 : 0644);
	FILE *f;
	int ok;

	if (fd < 0)
		return EIO;
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return EIO;
	}
	if (secret)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	else
		ok = PEM_write_X509(f, crt);
	if (fclose(f))
		ok = 0;
	return ok ? 0 : EIO;
}

int tls_cert_selfsigned(const char *cert_file, const char *key_file,
                        const char *cn)
{
	EVP_PKEY *key = NULL;
	X509 *crt = NULL;
	int err;

	if (!cert_file || !key_file || !cn || !*cn || strlen(cn) > TLS_CN_MAX)
		return EINVAL;
	key = EVP_EC_gen("P-256");
	crt = X509_new();
	if (!key || !crt) {
		tls_log_err("self-signed certificate");
		err = ENOMEM;
		goto out;
	}
	err = build_cert(crt, key, cn);
	if (err) {
		tls_log_err("self-signed certificate");
		goto out;
	}
	err = write_pem(key_file, true, key, NULL);
	if (!err)
		err = write_pem(cert_file, false, NULL, crt);
	if (err)
		log_warn("tls", "cannot write %s / %s", cert_file, key_file);
out:
	X509_free(crt);
	EVP_PKEY_free(key);
	return err;
}

int tls_cert_fingerprint(const char *cert_file, uint8_t fp[TLS_FP_LEN])
{
	unsigned int n = TLS_FP_LEN;
	X509 *crt;
	FILE *f;
	int err = 0;

	if (!cert_file || !fp)
		return EINVAL;
	f = fopen(cert_file, "r");
	if (!f)
		return ENOENT;
	crt = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (!crt) {
		tls_log_err(cert_file);
		return EBADMSG;
	}
	if (!X509_digest(crt, EVP_sha256(), fp, &n) || n != TLS_FP_LEN)
		err = EBADMSG;
	X509_free(crt);
	return err;
}

int tls_fp_str(const uint8_t fp[TLS_FP_LEN], char *buf, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	if (!fp || !buf)
		return EINVAL;
	if (size < TLS_FP_STR_MAX)
		return EOVERFLOW;
	for (i = 0; i < TLS_FP_LEN; i++) {
		buf[i * 3] = hex[fp[i] >> 4];
		buf[i * 3 + 1] = hex[fp[i] & 0xf];
		buf[i * 3 + 2] = i + 1 < TLS_FP_LEN ? ':' : '\0';
	}
	return 0;
}
