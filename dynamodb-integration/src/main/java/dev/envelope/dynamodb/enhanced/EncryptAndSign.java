package dev.envelope.dynamodb.enhanced;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.BeanTableSchemaAttributeTag;

/**
 * Encrypted and signed ({@link dev.envelope.dynamodb.CryptoAction#ENCRYPT_AND_SIGN}): what every non-key attribute of
 * a bean gets without an annotation; the annotation only documents it. Key attributes cannot be encrypted.
 * Put it on the getter, as the Enhanced Client reads its annotations there.
 */
@Target({ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@BeanTableSchemaAttributeTag(ActionTags.class)
public @interface EncryptAndSign {}
