/**
 * Materials and the managers that assemble them: the seam for policy and caching. Null rules as in
 * {@link dev.envelope.core}.
 */
package dev.envelope.core.materials;
