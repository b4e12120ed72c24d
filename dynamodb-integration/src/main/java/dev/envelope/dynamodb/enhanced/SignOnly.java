package dev.envelope.dynamodb.enhanced;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.BeanTableSchemaAttributeTag;

/**
 * Stored as written and covered by the item signature ({@link dev.envelope.dynamodb.CryptoAction#SIGN_ONLY}): for
 * attributes that must stay queryable or readable by other tools, but must not be changed unnoticed.
 * Put it on the getter, as the Enhanced Client reads its annotations there.
 */
@Target({ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@BeanTableSchemaAttributeTag(ActionTags.class)
public @interface SignOnly {}
