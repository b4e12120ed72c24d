package dev.envelope.dynamodb.enhanced;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.BeanTableSchemaAttributeTag;

/**
 * Stored as written and not signed ({@link dev.envelope.dynamodb.CryptoAction#DO_NOTHING}): for attributes other writers
 * change (TTL, counters). Key attributes cannot be DO_NOTHING.
 * Put it on the getter, as the Enhanced Client reads its annotations there.
 */
@Target({ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@BeanTableSchemaAttributeTag(ActionTags.class)
public @interface DoNothing {}
