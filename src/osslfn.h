/* osslfn.h - libcrypto's functions, as pointers ossl_load() sets (ossl.h).
 *
 * Each function the code calls is a pointer in ossl_fn, set by dlsym(); this
 * header turns each name into its pointer after OpenSSL's headers are read.
 * OpenSSL's inline helpers (the sk_TYPE_* stack functions) would call the
 * library directly: their OPENSSL_sk_* functions are called instead.
 * Include it instead of OpenSSL's headers (x509*.c), and call ossl_load()
 * before any of them. Not for files built with -Isrc: src/limits.h would
 * hide the system's, which openssl/err.h needs.
 */
#ifndef OSSLFN_H
#define OSSLFN_H

#include <limits.h>	/* (openssl/err.h uses INT_MAX without it) */

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Every function of libcrypto the code calls. */
#define OSSL_FUNCTIONS(X) \
	X(ASN1_BIT_STRING_free) \
	X(ASN1_BIT_STRING_new) \
	X(ASN1_BIT_STRING_set_bit) \
	X(ASN1_IA5STRING_new) \
	X(ASN1_INTEGER_set) \
	X(ASN1_OBJECT_free) \
	X(ASN1_OCTET_STRING_dup) \
	X(ASN1_OCTET_STRING_free) \
	X(ASN1_OCTET_STRING_new) \
	X(ASN1_OCTET_STRING_set) \
	X(ASN1_STRING_free) \
	X(ASN1_STRING_set) \
	X(ASN1_TIME_set) \
	X(ASN1_TIME_to_tm) \
	X(AUTHORITY_KEYID_free) \
	X(AUTHORITY_KEYID_new) \
	X(BASIC_CONSTRAINTS_free) \
	X(BASIC_CONSTRAINTS_new) \
	X(BIO_ctrl) \
	X(BIO_free) \
	X(BIO_new) \
	X(BIO_new_mem_buf) \
	X(BIO_s_mem) \
	X(BIO_s_secmem) \
	X(BN_CTX_free) \
	X(BN_CTX_secure_new) \
	X(BN_add_word) \
	X(BN_bin2bn) \
	X(BN_clear_free) \
	X(BN_copy) \
	X(BN_div) \
	X(BN_free) \
	X(BN_new) \
	X(BN_secure_new) \
	X(BN_set_flags) \
	X(BN_sub_word) \
	X(BN_to_ASN1_INTEGER) \
	X(CRYPTO_clear_free) \
	X(CRYPTO_free) \
	X(EC_GROUP_free) \
	X(EC_GROUP_get0_order) \
	X(EC_GROUP_new_by_curve_name) \
	X(EC_POINT_free) \
	X(EC_POINT_mul) \
	X(EC_POINT_new) \
	X(EC_POINT_point2oct) \
	X(ERR_clear_error) \
	X(ERR_error_string_n) \
	X(ERR_peek_last_error) \
	X(EVP_Digest) \
	X(EVP_PKEY2PKCS8) \
	X(EVP_PKEY_CTX_free) \
	X(EVP_PKEY_CTX_new_from_name) \
	X(EVP_PKEY_Q_keygen) \
	X(EVP_PKEY_eq) \
	X(EVP_PKEY_free) \
	X(EVP_PKEY_fromdata) \
	X(EVP_PKEY_fromdata_init) \
	X(EVP_PKEY_get0_type_name) \
	X(EVP_PKEY_is_a) \
	X(EVP_sha1) \
	X(EVP_sha256) \
	X(EVP_sha512) \
	X(GENERAL_NAMES_free) \
	X(GENERAL_NAMES_new) \
	X(GENERAL_NAME_free) \
	X(GENERAL_NAME_new) \
	X(GENERAL_NAME_set0_value) \
	X(HMAC) \
	X(OBJ_nid2obj) \
	X(OPENSSL_cleanse) \
	X(OPENSSL_sk_new_null) \
	X(OPENSSL_sk_pop_free) \
	X(OPENSSL_sk_push) \
	X(OSSL_PARAM_BLD_free) \
	X(OSSL_PARAM_BLD_new) \
	X(OSSL_PARAM_BLD_push_BN) \
	X(OSSL_PARAM_BLD_push_octet_string) \
	X(OSSL_PARAM_BLD_push_utf8_string) \
	X(OSSL_PARAM_BLD_to_param) \
	X(OSSL_PARAM_free) \
	X(PEM_read_bio_PrivateKey) \
	X(PEM_read_bio_X509) \
	X(PEM_write_bio_PrivateKey) \
	X(PEM_write_bio_X509) \
	X(PKCS8_PRIV_KEY_INFO_free) \
	X(RAND_bytes) \
	X(X509_NAME_add_entry_by_NID) \
	X(X509_NAME_free) \
	X(X509_NAME_new) \
	X(X509_add1_ext_i2d) \
	X(X509_free) \
	X(X509_get0_notAfter) \
	X(X509_get0_notBefore) \
	X(X509_get0_pubkey) \
	X(X509_get0_subject_key_id) \
	X(X509_get_extension_flags) \
	X(X509_get_key_usage) \
	X(X509_get_serialNumber) \
	X(X509_get_subject_name) \
	X(X509_getm_notAfter) \
	X(X509_getm_notBefore) \
	X(X509_new) \
	X(X509_pubkey_digest) \
	X(X509_set_issuer_name) \
	X(X509_set_pubkey) \
	X(X509_set_subject_name) \
	X(X509_set_version) \
	X(X509_sign) \
	X(i2d_PKCS8_PRIV_KEY_INFO) \
	X(i2d_re_X509_tbs)

#define OSSL_POINTER(name) __typeof__(name) *name;
struct ossl_functions {
	OSSL_FUNCTIONS(OSSL_POINTER)
};
#undef OSSL_POINTER
extern struct ossl_functions ossl_fn;


#ifndef OSSLFN_NO_REDIRECT
#define ASN1_BIT_STRING_free (ossl_fn.ASN1_BIT_STRING_free)
#define ASN1_BIT_STRING_new (ossl_fn.ASN1_BIT_STRING_new)
#define ASN1_BIT_STRING_set_bit (ossl_fn.ASN1_BIT_STRING_set_bit)
#define ASN1_IA5STRING_new (ossl_fn.ASN1_IA5STRING_new)
#define ASN1_INTEGER_set (ossl_fn.ASN1_INTEGER_set)
#define ASN1_OBJECT_free (ossl_fn.ASN1_OBJECT_free)
#define ASN1_OCTET_STRING_dup (ossl_fn.ASN1_OCTET_STRING_dup)
#define ASN1_OCTET_STRING_free (ossl_fn.ASN1_OCTET_STRING_free)
#define ASN1_OCTET_STRING_new (ossl_fn.ASN1_OCTET_STRING_new)
#define ASN1_OCTET_STRING_set (ossl_fn.ASN1_OCTET_STRING_set)
#define ASN1_STRING_free (ossl_fn.ASN1_STRING_free)
#define ASN1_STRING_set (ossl_fn.ASN1_STRING_set)
#define ASN1_TIME_set (ossl_fn.ASN1_TIME_set)
#define ASN1_TIME_to_tm (ossl_fn.ASN1_TIME_to_tm)
#define AUTHORITY_KEYID_free (ossl_fn.AUTHORITY_KEYID_free)
#define AUTHORITY_KEYID_new (ossl_fn.AUTHORITY_KEYID_new)
#define BASIC_CONSTRAINTS_free (ossl_fn.BASIC_CONSTRAINTS_free)
#define BASIC_CONSTRAINTS_new (ossl_fn.BASIC_CONSTRAINTS_new)
#define BIO_ctrl (ossl_fn.BIO_ctrl)
#define BIO_free (ossl_fn.BIO_free)
#define BIO_new (ossl_fn.BIO_new)
#define BIO_new_mem_buf (ossl_fn.BIO_new_mem_buf)
#define BIO_s_mem (ossl_fn.BIO_s_mem)
#define BIO_s_secmem (ossl_fn.BIO_s_secmem)
#define BN_CTX_free (ossl_fn.BN_CTX_free)
#define BN_CTX_secure_new (ossl_fn.BN_CTX_secure_new)
#define BN_add_word (ossl_fn.BN_add_word)
#define BN_bin2bn (ossl_fn.BN_bin2bn)
#define BN_clear_free (ossl_fn.BN_clear_free)
#define BN_copy (ossl_fn.BN_copy)
#define BN_div (ossl_fn.BN_div)
#define BN_free (ossl_fn.BN_free)
#define BN_new (ossl_fn.BN_new)
#define BN_secure_new (ossl_fn.BN_secure_new)
#define BN_set_flags (ossl_fn.BN_set_flags)
#define BN_sub_word (ossl_fn.BN_sub_word)
#define BN_to_ASN1_INTEGER (ossl_fn.BN_to_ASN1_INTEGER)
#define CRYPTO_clear_free (ossl_fn.CRYPTO_clear_free)
#define CRYPTO_free (ossl_fn.CRYPTO_free)
#define EC_GROUP_free (ossl_fn.EC_GROUP_free)
#define EC_GROUP_get0_order (ossl_fn.EC_GROUP_get0_order)
#define EC_GROUP_new_by_curve_name (ossl_fn.EC_GROUP_new_by_curve_name)
#define EC_POINT_free (ossl_fn.EC_POINT_free)
#define EC_POINT_mul (ossl_fn.EC_POINT_mul)
#define EC_POINT_new (ossl_fn.EC_POINT_new)
#define EC_POINT_point2oct (ossl_fn.EC_POINT_point2oct)
#define ERR_clear_error (ossl_fn.ERR_clear_error)
#define ERR_error_string_n (ossl_fn.ERR_error_string_n)
#define ERR_peek_last_error (ossl_fn.ERR_peek_last_error)
#define EVP_Digest (ossl_fn.EVP_Digest)
#define EVP_PKEY2PKCS8 (ossl_fn.EVP_PKEY2PKCS8)
#define EVP_PKEY_CTX_free (ossl_fn.EVP_PKEY_CTX_free)
#define EVP_PKEY_CTX_new_from_name (ossl_fn.EVP_PKEY_CTX_new_from_name)
#define EVP_PKEY_Q_keygen (ossl_fn.EVP_PKEY_Q_keygen)
#define EVP_PKEY_eq (ossl_fn.EVP_PKEY_eq)
#define EVP_PKEY_free (ossl_fn.EVP_PKEY_free)
#define EVP_PKEY_fromdata (ossl_fn.EVP_PKEY_fromdata)
#define EVP_PKEY_fromdata_init (ossl_fn.EVP_PKEY_fromdata_init)
#define EVP_PKEY_get0_type_name (ossl_fn.EVP_PKEY_get0_type_name)
#define EVP_PKEY_is_a (ossl_fn.EVP_PKEY_is_a)
#define EVP_sha1 (ossl_fn.EVP_sha1)
#define EVP_sha256 (ossl_fn.EVP_sha256)
#define EVP_sha512 (ossl_fn.EVP_sha512)
#define GENERAL_NAMES_free (ossl_fn.GENERAL_NAMES_free)
#define GENERAL_NAMES_new (ossl_fn.GENERAL_NAMES_new)
#define GENERAL_NAME_free (ossl_fn.GENERAL_NAME_free)
#define GENERAL_NAME_new (ossl_fn.GENERAL_NAME_new)
#define GENERAL_NAME_set0_value (ossl_fn.GENERAL_NAME_set0_value)
#define HMAC (ossl_fn.HMAC)
#define OBJ_nid2obj (ossl_fn.OBJ_nid2obj)
#define OPENSSL_cleanse (ossl_fn.OPENSSL_cleanse)
#define OPENSSL_sk_new_null (ossl_fn.OPENSSL_sk_new_null)
#define OPENSSL_sk_pop_free (ossl_fn.OPENSSL_sk_pop_free)
#define OPENSSL_sk_push (ossl_fn.OPENSSL_sk_push)
#define OSSL_PARAM_BLD_free (ossl_fn.OSSL_PARAM_BLD_free)
#define OSSL_PARAM_BLD_new (ossl_fn.OSSL_PARAM_BLD_new)
#define OSSL_PARAM_BLD_push_BN (ossl_fn.OSSL_PARAM_BLD_push_BN)
#define OSSL_PARAM_BLD_push_octet_string (ossl_fn.OSSL_PARAM_BLD_push_octet_string)
#define OSSL_PARAM_BLD_push_utf8_string (ossl_fn.OSSL_PARAM_BLD_push_utf8_string)
#define OSSL_PARAM_BLD_to_param (ossl_fn.OSSL_PARAM_BLD_to_param)
#define OSSL_PARAM_free (ossl_fn.OSSL_PARAM_free)
#define PEM_read_bio_PrivateKey (ossl_fn.PEM_read_bio_PrivateKey)
#define PEM_read_bio_X509 (ossl_fn.PEM_read_bio_X509)
#define PEM_write_bio_PrivateKey (ossl_fn.PEM_write_bio_PrivateKey)
#define PEM_write_bio_X509 (ossl_fn.PEM_write_bio_X509)
#define PKCS8_PRIV_KEY_INFO_free (ossl_fn.PKCS8_PRIV_KEY_INFO_free)
#define RAND_bytes (ossl_fn.RAND_bytes)
#define X509_NAME_add_entry_by_NID (ossl_fn.X509_NAME_add_entry_by_NID)
#define X509_NAME_free (ossl_fn.X509_NAME_free)
#define X509_NAME_new (ossl_fn.X509_NAME_new)
#define X509_add1_ext_i2d (ossl_fn.X509_add1_ext_i2d)
#define X509_free (ossl_fn.X509_free)
#define X509_get0_notAfter (ossl_fn.X509_get0_notAfter)
#define X509_get0_notBefore (ossl_fn.X509_get0_notBefore)
#define X509_get0_pubkey (ossl_fn.X509_get0_pubkey)
#define X509_get0_subject_key_id (ossl_fn.X509_get0_subject_key_id)
#define X509_get_extension_flags (ossl_fn.X509_get_extension_flags)
#define X509_get_key_usage (ossl_fn.X509_get_key_usage)
#define X509_get_serialNumber (ossl_fn.X509_get_serialNumber)
#define X509_get_subject_name (ossl_fn.X509_get_subject_name)
#define X509_getm_notAfter (ossl_fn.X509_getm_notAfter)
#define X509_getm_notBefore (ossl_fn.X509_getm_notBefore)
#define X509_new (ossl_fn.X509_new)
#define X509_pubkey_digest (ossl_fn.X509_pubkey_digest)
#define X509_set_issuer_name (ossl_fn.X509_set_issuer_name)
#define X509_set_pubkey (ossl_fn.X509_set_pubkey)
#define X509_set_subject_name (ossl_fn.X509_set_subject_name)
#define X509_set_version (ossl_fn.X509_set_version)
#define X509_sign (ossl_fn.X509_sign)
#define i2d_PKCS8_PRIV_KEY_INFO (ossl_fn.i2d_PKCS8_PRIV_KEY_INFO)
#define i2d_re_X509_tbs (ossl_fn.i2d_re_X509_tbs)
#endif

#endif
