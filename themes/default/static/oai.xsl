<?xml version="1.0" encoding="UTF-8"?>
<!--
  The hub's OAI-PMH responses as HTML pages, for people who open /oai in a browser (as DSpace and
  EPrints ship one). Every response names this stylesheet in an xml-stylesheet processing
  instruction; harvesters ignore it. XSLT 1.0 (what browsers run); no script, no inline style
  (the hub's Content-Security-Policy): the look comes from static/css/oai.css.

  Links are relative to the /oai URL the page was read from: "?verb=..." for the protocol's own
  requests, "$root" + "records/N" for a record's portal page, "$root" + "static/..." for the style
  sheet. The hub also applies this stylesheet itself for /oai/view (oai.provider.html_view), for
  browsers without XSLT, with $root set to "../".
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:oai="http://www.openarchives.org/OAI/2.0/"
                xmlns:dc="http://purl.org/dc/elements/1.1/"
                xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/"
                exclude-result-prefixes="oai dc oai_dc">
  <xsl:output method="html" encoding="UTF-8" indent="no" doctype-system="about:legacy-compat"/>

  <xsl:param name="root" select="'./'"/>
  <xsl:variable name="verb" select="/oai:OAI-PMH/oai:request/@verb"/>
  <xsl:variable name="prefix">
    <xsl:choose>
      <xsl:when test="/oai:OAI-PMH/oai:request/@metadataPrefix">
        <xsl:value-of select="/oai:OAI-PMH/oai:request/@metadataPrefix"/>
      </xsl:when>
      <xsl:otherwise>oai_dc</xsl:otherwise>
    </xsl:choose>
  </xsl:variable>

  <xsl:template match="/">
    <html lang="zh-Hans">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title>
          <xsl:text>OAI-PMH </xsl:text>
          <xsl:value-of select="$verb"/>
          <xsl:if test="/oai:OAI-PMH/oai:Identify">
            <xsl:text> · </xsl:text>
            <xsl:value-of select="/oai:OAI-PMH/oai:Identify/oai:repositoryName"/>
          </xsl:if>
        </title>
        <link rel="stylesheet" href="{$root}static/css/oai.css"/>
      </head>
      <body>
        <header class="oai-bar">
          <p class="oai-brand"><a href="?verb=Identify">OAI-PMH 2.0</a></p>
          <nav aria-label="OAI-PMH">
            <ul>
              <li><a href="?verb=Identify">Identify 概况</a></li>
              <li><a href="?verb=ListMetadataFormats">ListMetadataFormats 元数据格式</a></li>
              <li><a href="?verb=ListSets">ListSets 集合</a></li>
              <li><a href="?verb=ListIdentifiers&amp;metadataPrefix=oai_dc">ListIdentifiers 标识符</a></li>
              <li><a href="?verb=ListRecords&amp;metadataPrefix=oai_dc">ListRecords 记录</a></li>
              <li><a href="{$root}">Portal 门户</a></li>
            </ul>
          </nav>
        </header>
        <main>
          <xsl:apply-templates select="oai:OAI-PMH"/>
        </main>
        <footer class="oai-foot">
          <p>
            <xsl:text>This page is an OAI-PMH response shown for people; harvesters read the same XML. </xsl:text>
            <xsl:text>本页是供人阅读的 OAI-PMH 响应，收割程序读取的是同一份 XML。 </xsl:text>
            <xsl:value-of select="oai:OAI-PMH/oai:responseDate"/>
          </p>
        </footer>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="oai:OAI-PMH">
    <h1>
      <xsl:choose>
        <xsl:when test="oai:error">Error 错误</xsl:when>
        <xsl:otherwise><xsl:value-of select="$verb"/></xsl:otherwise>
      </xsl:choose>
    </h1>
    <p class="oai-request">
      <xsl:text>Request 请求: </xsl:text>
      <code>
        <xsl:value-of select="oai:request"/>
        <xsl:for-each select="oai:request/@*">
          <xsl:choose><xsl:when test="position() = 1">?</xsl:when><xsl:otherwise>&amp;</xsl:otherwise></xsl:choose>
          <xsl:value-of select="name()"/>=<xsl:value-of select="."/>
        </xsl:for-each>
      </code>
    </p>
    <xsl:apply-templates select="oai:error"/>
    <xsl:apply-templates select="oai:Identify | oai:ListMetadataFormats | oai:ListSets | oai:ListIdentifiers
                                 | oai:ListRecords | oai:GetRecord"/>
  </xsl:template>

  <!-- errors -->
  <xsl:template match="oai:error">
    <div class="oai-error" role="alert">
      <p><strong><xsl:value-of select="@code"/></strong>: <xsl:value-of select="."/></p>
    </div>
  </xsl:template>

  <!-- Identify -->
  <xsl:template match="oai:Identify">
    <h2 class="oai-repository-name"><xsl:value-of select="oai:repositoryName"/></h2>
    <table class="oai-fields">
      <tr><th scope="row">Repository name 名称</th><td><xsl:value-of select="oai:repositoryName"/></td></tr>
      <tr><th scope="row">Base URL 基础地址</th><td><code><xsl:value-of select="oai:baseURL"/></code></td></tr>
      <tr><th scope="row">Protocol version 协议版本</th><td><xsl:value-of select="oai:protocolVersion"/></td></tr>
      <xsl:for-each select="oai:adminEmail">
        <tr><th scope="row">Administrator 管理员</th>
          <td><a href="mailto:{.}"><xsl:value-of select="."/></a></td></tr>
      </xsl:for-each>
      <tr><th scope="row">Earliest datestamp 最早时间戳</th><td><xsl:value-of select="oai:earliestDatestamp"/></td></tr>
      <tr><th scope="row">Deleted records 删除记录</th><td><xsl:value-of select="oai:deletedRecord"/></td></tr>
      <tr><th scope="row">Granularity 时间粒度</th><td><xsl:value-of select="oai:granularity"/></td></tr>
      <xsl:for-each select="oai:compression">
        <tr><th scope="row">Compression 压缩</th><td><xsl:value-of select="."/></td></tr>
      </xsl:for-each>
      <xsl:for-each select="oai:description/*[local-name() = 'oai-identifier']">
        <tr><th scope="row">Sample identifier 标识符示例</th>
          <td><code><xsl:value-of select="*[local-name() = 'sampleIdentifier']"/></code></td></tr>
      </xsl:for-each>
    </table>
  </xsl:template>

  <!-- ListMetadataFormats -->
  <xsl:template match="oai:ListMetadataFormats">
    <table class="oai-list">
      <thead><tr><th scope="col">Prefix 前缀</th><th scope="col">Namespace 命名空间</th>
        <th scope="col">Schema 模式</th><th scope="col">Lists 列表</th></tr></thead>
      <tbody>
        <xsl:for-each select="oai:metadataFormat">
          <tr>
            <td><code><xsl:value-of select="oai:metadataPrefix"/></code></td>
            <td><xsl:value-of select="oai:metadataNamespace"/></td>
            <td><a href="{oai:schema}"><xsl:value-of select="oai:schema"/></a></td>
            <td>
              <a href="?verb=ListRecords&amp;metadataPrefix={oai:metadataPrefix}">ListRecords</a>
              <xsl:text> · </xsl:text>
              <a href="?verb=ListIdentifiers&amp;metadataPrefix={oai:metadataPrefix}">ListIdentifiers</a>
            </td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
  </xsl:template>

  <!-- ListSets -->
  <xsl:template match="oai:ListSets">
    <table class="oai-list">
      <thead><tr><th scope="col">Set 集合</th><th scope="col">Name 名称</th><th scope="col">Description 说明</th>
        <th scope="col">Lists 列表</th></tr></thead>
      <tbody>
        <xsl:for-each select="oai:set">
          <tr>
            <td><code><xsl:value-of select="oai:setSpec"/></code></td>
            <td><xsl:value-of select="oai:setName"/></td>
            <td>
              <xsl:for-each select="oai:setDescription//dc:description[normalize-space()]">
                <p lang="{@xml:lang}"><xsl:value-of select="."/></p>
              </xsl:for-each>
            </td>
            <td>
              <a href="?verb=ListRecords&amp;metadataPrefix=oai_dc&amp;set={oai:setSpec}">ListRecords</a>
              <xsl:text> · </xsl:text>
              <a href="?verb=ListIdentifiers&amp;metadataPrefix=oai_dc&amp;set={oai:setSpec}">ListIdentifiers</a>
            </td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <!-- ListIdentifiers -->
  <xsl:template match="oai:ListIdentifiers">
    <xsl:apply-templates select="oai:resumptionToken" mode="position"/>
    <table class="oai-list">
      <thead><tr><th scope="col">Identifier 标识符</th><th scope="col">Datestamp 时间戳</th>
        <th scope="col">Sets 集合</th><th scope="col">Links 链接</th></tr></thead>
      <tbody>
        <xsl:for-each select="oai:header">
          <tr>
            <xsl:if test="@status = 'deleted'"><xsl:attribute name="class">oai-deleted</xsl:attribute></xsl:if>
            <td><code><xsl:value-of select="oai:identifier"/></code>
              <xsl:if test="@status = 'deleted'"> <span class="oai-status">deleted 已删除</span></xsl:if></td>
            <td><xsl:value-of select="oai:datestamp"/></td>
            <td><xsl:call-template name="set-links"/></td>
            <td><xsl:call-template name="record-links"/></td>
          </tr>
        </xsl:for-each>
      </tbody>
    </table>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <!-- ListRecords and GetRecord -->
  <xsl:template match="oai:ListRecords">
    <xsl:apply-templates select="oai:resumptionToken" mode="position"/>
    <xsl:apply-templates select="oai:record"/>
    <xsl:apply-templates select="oai:resumptionToken"/>
  </xsl:template>

  <xsl:template match="oai:GetRecord">
    <xsl:apply-templates select="oai:record"/>
  </xsl:template>

  <xsl:template match="oai:record">
    <article class="oai-record">
      <xsl:if test="oai:header/@status = 'deleted'"><xsl:attribute name="class">oai-record oai-deleted</xsl:attribute></xsl:if>
      <h2>
        <xsl:choose>
          <xsl:when test="oai:metadata//dc:title">
            <xsl:value-of select="(oai:metadata//dc:title)[1]"/>
          </xsl:when>
          <xsl:when test="oai:metadata//*[local-name() = 'title']">
            <xsl:value-of select="(oai:metadata//*[local-name() = 'title'])[1]"/>
          </xsl:when>
          <xsl:otherwise><xsl:value-of select="oai:header/oai:identifier"/></xsl:otherwise>
        </xsl:choose>
      </h2>
      <xsl:for-each select="oai:header">
        <p class="oai-header">
          <code><xsl:value-of select="oai:identifier"/></code>
          <xsl:text> · </xsl:text>
          <xsl:value-of select="oai:datestamp"/>
          <xsl:if test="@status = 'deleted'"> · <span class="oai-status">deleted 已删除</span></xsl:if>
          <xsl:text> · </xsl:text>
          <xsl:call-template name="record-links"/>
        </p>
        <p class="oai-sets"><xsl:call-template name="set-links"/></p>
      </xsl:for-each>
      <xsl:apply-templates select="oai:metadata"/>
    </article>
  </xsl:template>

  <xsl:template match="oai:metadata">
    <table class="oai-fields">
      <xsl:choose>
        <xsl:when test="oai_dc:dc">
          <xsl:for-each select="oai_dc:dc/*[normalize-space()]">
            <tr><th scope="row"><xsl:value-of select="local-name()"/></th>
              <td><xsl:call-template name="value"/></td></tr>
          </xsl:for-each>
        </xsl:when>
        <xsl:otherwise>
          <!-- Any other format: every element that holds text, with the path of its local names. -->
          <xsl:for-each select=".//*[text()[normalize-space()]]">
            <tr><th scope="row"><xsl:call-template name="path"/></th>
              <td><xsl:call-template name="value"/></td></tr>
          </xsl:for-each>
        </xsl:otherwise>
      </xsl:choose>
    </table>
  </xsl:template>

  <!-- paging -->
  <xsl:template match="oai:resumptionToken" mode="position">
    <xsl:if test="@completeListSize">
      <p class="oai-position">
        <xsl:text>Items 条目 </xsl:text>
        <xsl:value-of select="@cursor + 1"/>
        <xsl:text>–</xsl:text>
        <xsl:value-of select="@cursor + count(../oai:header | ../oai:record | ../oai:set)"/>
        <xsl:text> of 共 </xsl:text>
        <xsl:value-of select="@completeListSize"/>
      </p>
    </xsl:if>
  </xsl:template>

  <xsl:template match="oai:resumptionToken">
    <nav class="oai-paging" aria-label="pages 分页">
      <xsl:choose>
        <xsl:when test="normalize-space(.)">
          <a class="oai-next" rel="next" href="?verb={$verb}&amp;resumptionToken={normalize-space(.)}">Next page 下一页 →</a>
          <xsl:if test="@expirationDate">
            <span class="oai-expires"> (token valid until 有效期至 <xsl:value-of select="@expirationDate"/>)</span>
          </xsl:if>
        </xsl:when>
        <xsl:otherwise><span class="oai-end">End of the list 列表结束</span></xsl:otherwise>
      </xsl:choose>
    </nav>
  </xsl:template>

  <!-- helpers -->
  <xsl:template name="record-links">
    <xsl:variable name="id" select="oai:identifier"/>
    <a href="?verb=GetRecord&amp;metadataPrefix={$prefix}&amp;identifier={$id}">GetRecord</a>
    <xsl:text> · </xsl:text>
    <a href="?verb=ListMetadataFormats&amp;identifier={$id}">formats 格式</a>
    <xsl:if test="not(@status = 'deleted')">
      <xsl:text> · </xsl:text>
      <a href="{$root}records/{substring-after(substring-after($id, 'oai:'), ':')}">portal 门户</a>
    </xsl:if>
  </xsl:template>

  <xsl:template name="set-links">
    <xsl:for-each select="oai:setSpec">
      <xsl:if test="position() &gt; 1"><xsl:text> </xsl:text></xsl:if>
      <a class="oai-set" href="?verb=ListIdentifiers&amp;metadataPrefix={$prefix}&amp;set={.}"><xsl:value-of select="."/></a>
    </xsl:for-each>
  </xsl:template>

  <xsl:template name="value">
    <xsl:variable name="value" select="normalize-space(.)"/>
    <xsl:choose>
      <xsl:when test="starts-with($value, 'http://') or starts-with($value, 'https://')">
        <a href="{$value}" rel="nofollow"><xsl:value-of select="$value"/></a>
      </xsl:when>
      <xsl:otherwise>
        <xsl:if test="@xml:lang"><xsl:attribute name="lang"><xsl:value-of select="@xml:lang"/></xsl:attribute></xsl:if>
        <xsl:value-of select="$value"/>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="path">
    <xsl:for-each select="ancestor-or-self::*[ancestor::oai:metadata][position() &lt;= 3]">
      <xsl:if test="position() &gt; 1"><xsl:text> › </xsl:text></xsl:if>
      <xsl:value-of select="local-name()"/>
    </xsl:for-each>
  </xsl:template>
</xsl:stylesheet>
